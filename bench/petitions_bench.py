"""Benchmark of the petitions pages on a heavy office: 20,000 cases, 3,000 of them open, and
30,000 reception-log entries.

The due list, the home page count and the deadlines page read the stored due dates (core.due:
each clock computed when its event is recorded, recomputed when the holiday calendar changes),
a page at a time, so they should not grow with the open cases. It writes its own data, so give
it a database of its own (created when missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench_petitions \
        .venv/bin/python bench/petitions_bench.py

It migrates that database, builds the data once (later runs reuse it), then serves the pages
in-process through django.test.Client, logged in as office staff (who see every district, the
heaviest case), and prints for each page the median wall and CPU time over 20 requests and its
ratio to a trivial Django view (bench.bench_urls) measured the same way in the same run, and
the due list's and the deadlines page's query counts at 10 and at 500 items a page. Targets
(issue 16): due list and deadlines page at most 20x the trivial view and under 200 ms median;
the same query count at 10 and 500 items a page.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

CASES = 20_000
OPEN = 3_000
VISITS = 30_000
REQUESTS = 20
TARGET_MS = 200
TARGET_RATIO = 20


def main() -> int:
    if not os.environ.get("DATABASE_URL"):
        print(__doc__)
        print("DATABASE_URL is not set: refusing to fill the development database.")
        return 2

    import django

    django.setup()

    from django.core.management import call_command

    ensure_database()
    call_command("migrate", verbosity=0)
    build()
    measure()
    return 0


def ensure_database() -> None:
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError:
        if connection.vendor != "postgresql":
            raise
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")


def build() -> None:
    from django.db import transaction
    from django.utils import timezone

    from core import demo as core_demo
    from core import due
    from core.models import District, DueDate, User
    from petitions.models import Category, Channel, Petition, Petitioner, Status, Visit

    if (
        Petition.objects.filter(reference__startswith="BENCH").count() >= CASES
        and "--rebuild" not in sys.argv
    ):
        print(f"reusing {CASES:,} cases and {Visit.objects.count():,} visits")
        if not DueDate.objects.exists():
            began = time.monotonic()
            written = due.recompute()
            print(f"stored {written:,} due dates in {time.monotonic() - began:.1f} s")
        return
    began = time.monotonic()
    rng = random.Random(2022)
    today = timezone.localdate()
    with transaction.atomic():
        core_demo.load()
        districts = list(District.objects.all())
        operations = User.objects.get(username="operations")
        Petitioner.objects.filter(petition__reference__startswith="BENCH").delete()
        Visit.objects.filter(visitor_name__startswith="压测").delete()
        Petition.objects.filter(reference__startswith="BENCH").delete()
        cases = []
        for index in range(CASES):
            is_open = index < OPEN
            # Open cases as a busy office has them: most within their periods, some overdue.
            status = rng.choice([Status.REGISTERED, Status.ACCEPTED]) if is_open else Status.CLOSED
            if status == Status.REGISTERED:
                received, accepted = today - timedelta(days=rng.randrange(0, 20)), None
            else:
                back = rng.randrange(1, 70) if is_open else rng.randrange(120, 2000)
                accepted = today - timedelta(days=back)
                received = accepted - timedelta(days=rng.randrange(1, 10))
            replied = None if is_open else accepted + timedelta(days=rng.randrange(10, 70))
            cases.append(
                Petition(
                    reference=f"BENCH-{index:06d}",
                    lookup_digest="0" * 64,
                    received_on=received,
                    channel=rng.choice([c for c in Channel if c != Channel.REFERRED]),
                    district=districts[index % len(districts)],
                    category=rng.choice(list(Category)),
                    request="压力测试信访事项。",
                    status=status,
                    assignee=operations,
                    received_by=operations,
                    decided_on=accepted,
                    accepted_on=accepted,
                    replied_on=replied,
                    closed_on=replied,
                )
            )
        cases = Petition.objects.bulk_create(cases, batch_size=5_000)
        Petitioner.objects.bulk_create(
            (Petitioner(petition=case, name=f"压测信访人{case.pk}") for case in cases),
            batch_size=5_000,
        )
        Visit.objects.bulk_create(
            (
                Visit(
                    visited_on=today - timedelta(days=rng.randrange(1, 2000)),
                    district=districts[index % len(districts)],
                    people_count=rng.choice([1, 1, 1, 2, 3, 6]),
                    visitor_name=f"压测来访人{index % 5000}",
                    summary="压力测试来访。",
                    receptionist=operations,
                )
                for index in range(VISITS)
            ),
            batch_size=5_000,
        )
        # Written in bulk (no signals): store the clocks once, as `recompute_due_dates` does.
        stored_began = time.monotonic()
        written = due.recompute()
        print(f"stored {written:,} due dates in {time.monotonic() - stored_began:.1f} s")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built {CASES:,} cases and {VISITS:,} visits in {time.monotonic() - began:.1f} s")


def _timed(client, url, query) -> tuple[float, float]:
    """Median wall and CPU milliseconds of REQUESTS requests (after two warm-up requests)."""
    for _ in range(2):
        client.get(url, query)
    walls, cpus = [], []
    for _ in range(REQUESTS):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url, query)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _queries(client, url, query) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, query)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, query)
    return len(queries)


def measure() -> None:
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone

    from core.models import DueDate, User
    from core.roles import Section

    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"name": "压力测试"})
    staff.groups.add(Group.objects.get_or_create(name=Section.OPERATIONS.value)[0])
    year = timezone.localdate().year
    with override_settings(
        ROOT_URLCONF="bench.bench_urls",
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        pages = [
            ("due list", reverse("petitions:petition_due"), {}),
            ("deadlines page", reverse("core:deadline_list"), {}),
            ("nav counts", reverse("core:nav_counts"), {}),
            ("home page", reverse("core:home"), {}),
            ("case list", reverse("petitions:petition_list"), {}),
            ("visit list", reverse("petitions:visit_list"), {}),
            ("year figures", reverse("petitions:petition_figures"), {"year": year}),
        ]
        client = Client(raise_request_exception=False)
        client.force_login(staff)
        print(f"{DueDate.objects.count():,} stored due dates")
        floor_wall, floor_cpu = _timed(client, "/bench/trivial/", {})
        print(
            f"median of {REQUESTS} requests, logged in as office staff; trivial view "
            f"{floor_wall:.2f} ms wall, {floor_cpu:.2f} ms CPU (targets: due list and deadlines "
            f"page <= {TARGET_RATIO}x trivial, < {TARGET_MS} ms)"
        )
        header = f"{'page':<15} {'wall ms':>8} {'CPU ms':>8} {'x trivial (wall / CPU)':>24}"
        print(f"  {header}  queries")
        for label, url, query in pages:
            response = client.get(url, query)
            if response.status_code != 200:
                print(f"  {label:<15} {url}: HTTP {response.status_code}, not measured")
                continue
            wall, cpu = _timed(client, url, query)
            queries = _queries(client, url, query)
            ratio_wall, ratio_cpu = wall / floor_wall, cpu / floor_cpu
            verdict = ""
            if label in ("due list", "deadlines page"):
                ok = max(ratio_wall, ratio_cpu) <= TARGET_RATIO and wall < TARGET_MS
                verdict = "ok" if ok else "OVER TARGET"
            print(
                f"  {label:<15} {wall:8.1f} {cpu:8.1f} {ratio_wall:11.1f}x / {ratio_cpu:6.1f}x"
                f"  {queries:>7}  {verdict}"
            )
        for label, url in (
            ("due list", reverse("petitions:petition_due")),
            ("deadlines page", reverse("core:deadline_list")),
        ):
            ten = _queries(client, url, {"per_page": 10})
            five_hundred = _queries(client, url, {"per_page": 500})
            same = "same" if ten == five_hundred else "DIFFERENT"
            print(f"  {label}: {ten} queries at 10 a page, {five_hundred} at 500 ({same})")


if __name__ == "__main__":
    sys.exit(main())
