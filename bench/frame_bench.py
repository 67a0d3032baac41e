"""Benchmark of the frame every logged-in page pays: session, user, groups, navigation, base.html.

Issue 16 measures every office page against a trivial Django view (≤ 10×); what the shared
frame costs is paid by all of them before their own work begins. This serves, logged in as
office staff (业务科, bench/pages.py's `staff_client`), an empty page that extends base.html
(`bench.bench_urls.frame`: login_required, no context of its own), two light real pages
(the to-do page and the home page), and the navigation counts fragment that base.html asks
for after every page (htmx). It needs a database of its own (created when missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_frame \
        .venv/bin/python bench/frame_bench.py [--profile]

It migrates that database and loads the demo once (later runs reuse it), then times each page
alternately with the trivial view (bench/pages.py; 100 requests each, the pages are short) and
prints the ratios. Unlike the other benches, each request here first runs Django's
`close_old_connections`, as a WSGI server does on `request_started` (the test client leaves it
out), so that the per-request health check of the database connection (CONN_HEALTH_CHECKS: a
SELECT 1, not in the query counts; how many is printed above the table) is paid as in
production. `--profile` prints cProfile's 30 costliest functions
(cumulative) for 200 requests of the empty page. Goal (issue 16): the frame well under the
page budget (the empty page ≤ 2× the trivial view); each page ≤ 10×.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PROFILE_REQUESTS = 200
# The frame's pages are short: more requests than the other benches' 20 for steady medians.
REQUESTS = 100


def main() -> int:
    from bench.database import prepare

    if not prepare(__doc__):
        return 2
    build()
    measure(profile="--profile" in sys.argv)
    return 0


def build() -> None:
    from io import StringIO

    from django.core.management import call_command

    from projects.models import Project

    if Project.objects.exists():
        print(f"reusing the demo ({Project.objects.count()} projects)")
        return
    call_command("load_demo", stdout=StringIO())
    print(f"loaded the demo ({Project.objects.count()} projects)")


def _as_wsgi_server_does(**kwargs) -> None:
    """What a WSGI server's request_started runs and the test client leaves out: end a
    connection past CONN_MAX_AGE or broken, and ask for the health check on its next use."""
    from django.db import close_old_connections

    close_old_connections()


class _CountHealthChecks:
    """Counts the health check's SELECT 1 (run on the raw connection, so not in Django's
    query log) by wrapping `is_usable`."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.count = 0
        self.original = connection.is_usable

    def __enter__(self):
        def counted():
            self.count += 1
            return self.original()

        self.connection.is_usable = counted
        return self

    def __exit__(self, *exc):
        del self.connection.is_usable


def measure(profile: bool = False) -> None:
    from django.core.signals import request_started
    from django.urls import reverse

    from bench.pages import Page, measure_pages, print_table, served, staff_client

    frame = "/bench/frame/"  # bench.bench_urls, routed inside `served()` only
    pages = [
        Page("empty page (frame)", frame, max_ratio=2.0),
        Page("to-do page", reverse("core:todo_list")),
        Page("home page", reverse("core:home")),
        Page("nav counts (htmx)", reverse("core:nav_counts")),
    ]
    request_started.connect(_as_wsgi_server_does)
    try:
        with served():
            client = staff_client()
            with _CountHealthChecks() as checks:
                client.get(frame)
                client.get(frame)
            print(f"health checks (SELECT 1) for 2 requests of the empty page: {checks.count}")
            results = measure_pages(client, pages, REQUESTS)
            print_table(results, REQUESTS)
            print("CPU of this process, median ms: page / trivial view alongside it")
            for timing in results:
                if timing.status == 200:
                    print(
                        f"  {timing.page.label:<22} {timing.cpu_ms:6.2f} / "
                        f"{timing.trivial_cpu_ms:5.2f}"
                    )
            if profile:
                _profile(client, frame)
    finally:
        request_started.disconnect(_as_wsgi_server_does)


def _profile(client, url: str) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_REQUESTS):
        client.get(url)
    profiler.disable()
    print(f"\ncProfile, {PROFILE_REQUESTS} requests of {url}:")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    sys.exit(main())
