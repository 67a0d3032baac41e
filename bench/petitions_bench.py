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
heaviest case), each request alternating with one of a trivial Django view (bench/pages.py),
and prints for each page the median wall and CPU time over 20 requests and their ratios to the
trivial view's, and the due list's and the deadlines page's query counts at 10 and at 500 items
a page. Targets
(issue 16): due list and deadlines page at most 20x the trivial view and under 200 ms median;
the same query count at 10 and 500 items a page.
"""

import os
import random
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
    from bench.database import prepare

    if not prepare(__doc__):
        return 2
    build()
    measure()
    return 0


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


def measure() -> None:
    """The pages through bench/pages.py, each request alternating with the trivial view's (so
    both medians see the same load), then the two lists' query counts at 10 and 500 a page."""
    from django.urls import reverse
    from django.utils import timezone

    from bench.pages import Page, measure_pages, print_table, query_count, served, staff_client
    from core.models import DueDate

    year = timezone.localdate().year
    others = {"max_ratio": float("inf"), "max_ms": float("inf")}  # measured, no goal of theirs
    with served():
        pages = [
            Page(
                "due list",
                reverse("petitions:petition_due"),
                max_ratio=TARGET_RATIO,
                max_ms=TARGET_MS,
            ),
            Page(
                "deadlines page",
                reverse("core:deadline_list"),
                max_ratio=TARGET_RATIO,
                max_ms=TARGET_MS,
            ),
            Page("nav counts", reverse("core:nav_counts"), **others),
            Page("home page", reverse("core:home"), **others),
            Page("case list", reverse("petitions:petition_list"), **others),
            Page("visit list", reverse("petitions:visit_list"), **others),
            Page("year figures", reverse("petitions:petition_figures"), {"year": year}, **others),
        ]
        client = staff_client()
        print(f"{DueDate.objects.count():,} stored due dates")
        print_table(measure_pages(client, pages, requests=REQUESTS), requests=REQUESTS)
        for label, url in (
            ("due list", reverse("petitions:petition_due")),
            ("deadlines page", reverse("core:deadline_list")),
        ):
            ten = query_count(client, url, {"per_page": 10})
            five_hundred = query_count(client, url, {"per_page": 500})
            same = "same" if ten == five_hundred else "DIFFERENT"
            print(f"  {label}: {ten} queries at 10 a page, {five_hundred} at 500 ({same})")


if __name__ == "__main__":
    sys.exit(main())
