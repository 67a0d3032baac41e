"""Serve pages in-process and measure each against a trivial Django view in the same run.

Issue 16 states its page goals as ratios ("≤ 10× a trivial view; < 200 ms median"), so that a
figure means the same on a loaded machine as on an idle one. A bench script lists its pages
and calls `measure_pages`, which:

- serves them through django.test.Client as production would (DEBUG off, real middleware,
  the database sessions), minus TLS and the collected static manifest, with
  bench/bench_urls.py's trivial view beside the site's routes;
- warms each page twice, counts its queries once, then times it `requests` times,
  alternating each request with one of the trivial view, so that both medians see the same
  load on a shared machine;
- returns, per page, the median wall time (which includes PostgreSQL's work), the median CPU
  time of this process, the query count and the ratio of the medians.

`print_table` prints one row per page with the goal beside the figure.
"""

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

TRIVIAL_URL = "/bench/trivial/"
REQUESTS = 20


@dataclass(frozen=True)
class Page:
    """A page to measure: its label, URL and query string (a dict), and its goal as a ratio
    to the trivial view (`max_ratio`) and a median in ms (`max_ms`)."""

    label: str
    url: str
    query: dict | None = None
    max_ratio: float = 10.0
    max_ms: float = 200.0


@dataclass(frozen=True)
class Timing:
    page: Page
    status: int
    queries: int = 0
    median_ms: float = 0.0
    cpu_ms: float = 0.0
    trivial_ms: float = 0.0
    trivial_cpu_ms: float = 0.0

    @property
    def ratio(self) -> float:
        """The page's median wall time over the trivial view's, measured alternately."""
        return self.median_ms / self.trivial_ms

    @property
    def cpu_ratio(self) -> float:
        return self.cpu_ms / self.trivial_cpu_ms

    @property
    def meets_goal(self) -> bool:
        return self.ratio <= self.page.max_ratio and self.median_ms < self.page.max_ms


@contextmanager
def served() -> Iterator[None]:
    """The production settings with the trivial view's routes, on the test client's host."""
    from django.test.utils import override_settings

    with override_settings(
        ROOT_URLCONF="bench.bench_urls",
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


def staff_client(username: str = "bench-staff"):
    """A client logged in as a user of 业务科 (office staff see every district: the heaviest
    case). A failing page answers 500 instead of ending the run."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from core.models import User
    from core.roles import Section

    staff, _ = User.objects.get_or_create(username=username, defaults={"name": "压力测试"})
    staff.groups.add(Group.objects.get_or_create(name=Section.OPERATIONS.value)[0])
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    return client


def _timed(client, url: str, query: dict | None) -> tuple[float, float]:
    began, began_cpu = time.perf_counter(), time.process_time()
    client.get(url, query or {})
    return (time.perf_counter() - began) * 1000, (time.process_time() - began_cpu) * 1000


def query_count(client, url: str, query: dict | None = None) -> int:
    """The queries of one request of `url`, asked once before so that the session's first
    touch and the caches are behind it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, query or {})
    with CaptureQueriesContext(connection) as captured:
        client.get(url, query or {})
    return len(captured)  # read now: the next request clears the log


def measure_pages(client, pages: list[Page], requests: int = REQUESTS) -> list[Timing]:
    """Time each page against the trivial view (call it inside `served()`)."""
    results = []
    for page in pages:
        # warm-up: connection, templates, caches
        response = client.get(page.url, page.query or {})
        if response.status_code != 200:
            results.append(Timing(page=page, status=response.status_code))
            continue
        queries = query_count(client, page.url, page.query)
        walls, cpus, trivial_walls, trivial_cpus = [], [], [], []
        for _ in range(requests):
            wall, cpu = _timed(client, TRIVIAL_URL, None)
            trivial_walls.append(wall)
            trivial_cpus.append(cpu)
            wall, cpu = _timed(client, page.url, page.query)
            walls.append(wall)
            cpus.append(cpu)
        results.append(
            Timing(
                page=page,
                status=200,
                queries=queries,
                median_ms=statistics.median(walls),
                cpu_ms=statistics.median(cpus),
                trivial_ms=statistics.median(trivial_walls),
                trivial_cpu_ms=statistics.median(trivial_cpus),
            )
        )
    return results


def print_table(results: list[Timing], requests: int = REQUESTS) -> None:
    """One row per page: the median, the ratio to the trivial view, the goal, the verdict."""
    print(
        f"median of {requests} requests each, alternating with the trivial view "
        f"({TRIVIAL_URL}); ratio = page median / trivial median (wall; CPU of this process)"
    )
    print(
        f"  {'page':<22} {'median':>9} {'trivial':>8} {'ratio':>7} {'cpu ratio':>9} "
        f"{'queries':>7}  goal"
    )
    for timing in results:
        page = timing.page
        goal = f"≤ {page.max_ratio:g}× and < {page.max_ms:g} ms"
        if page.max_ratio == float("inf"):  # measured beside the others, no goal of its own
            goal = "—"
        if timing.status != 200:
            print(f"  {page.label:<22} HTTP {timing.status}, not measured  (goal {goal})")
            continue
        verdict = "ok" if timing.meets_goal else "OVER GOAL"
        if goal == "—":
            verdict = ""
        print(
            f"  {page.label:<22} {timing.median_ms:7.1f}ms {timing.trivial_ms:6.1f}ms "
            f"{timing.ratio:6.1f}× {timing.cpu_ratio:8.1f}× {timing.queries:7d}  "
            f"{goal}  {verdict}"
        )
