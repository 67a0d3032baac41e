"""Benchmark of a fund's ledger page (compensation:fund_detail) at 50,000 entries.

The fund keeps its totals, entry count and latest hash on its own row (compensation.ledger
updates them under the row lock with every entry), so the page should read one page of entries
and that row however long the ledger is. This script writes a fund of --entries deposits with
COPY, hash chain and all (bench/ledger_bench.py's `long_ledger`), then appends a reversal and
leaves a disbursement request pending through the services, so that the page shows each kind of
row and panel. Ledger rows can never be deleted, so give it a database of its own (created when
missing); the long fund is found again by its account number (BENCH-LONG-<count>) and reused:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench_ledgerpage \\
        .venv/bin/python bench/fund_page_bench.py [--entries 50000] [--requests 20]

It serves the page in-process through django.test.Client (bench/pages.py), logged in as the
finance section (who see every district and get the deposit and request buttons and a reversal
form on each row: the heaviest case), alternating each request with a trivial Django view: the
first page, a middle page, the last page (the oldest entry) and the first page at 100 entries;
then the first page at 50 and at 100 entries as a leader (领导: no finance buttons or forms).
The page offers no filter or search. It prints each page's median wall and CPU time, the ratios
to the trivial view and the query count, then the query count of the same page for a fund of
three entries.
Goal (issue 16): at most 10× the trivial view and under 200 ms median.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    from bench.database import prepare

    if not prepare(__doc__):
        return 2
    fund, small = build(options.entries)
    measure(fund, small, options.requests)
    return 0


def build(count: int):
    """The long fund (written once, reused) and a small one of three entries."""
    import time
    import uuid

    from bench.ledger_bench import long_ledger, make_world
    from compensation import services
    from compensation.models import Fund

    account = f"BENCH-LONG-{count}"
    if not Fund.objects.filter(account_number=account).exists():
        finance, _, _ = make_world()
        began = time.monotonic()
        long_ledger(finance, count)
        fund = Fund.objects.get(account_number=account)
        # A reversal (so the page shows 冲正 links both ways) and a pending request.
        services.reverse_entry(entry=fund.entries.get(sequence=count), by=finance, reason="基准")
        services.request_disbursement(
            fund=fund,
            by=finance,
            idempotency_key=uuid.uuid4().hex,
            amount=1,
            category="working",
            purpose="基准",
        )
        print(f"  wrote a fund of {count:,} entries with COPY in {time.monotonic() - began:.1f} s")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # COPY leaves the planner without statistics
            cursor.execute("ANALYZE")
    fund = Fund.objects.select_related("project").get(account_number=account)
    print(f"  fund {fund.pk}: {fund.entry_count:,} entries")
    small = Fund.objects.filter(account_number="BENCH-SMALL").first()
    if small is None:
        finance, _, project = make_world()
        small = services.open_fund(project=project, by=finance, account_number="BENCH-SMALL")
        for n in range(2):
            services.record_deposit(
                fund=small,
                by=finance,
                amount=100 + n,
                source="fiscal",
                voucher_number=f"S{n}",
                received_on=small.opened_on,
            )
        entry = small.entries.order_by("-sequence").first()
        services.reverse_entry(entry=entry, by=finance, reason="基准")
        small.refresh_from_db()
    return fund, small


def measure(fund, small, requests: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from bench.pages import Page, measure_pages, print_table, query_count, served
    from core.models import User

    url = reverse("compensation:fund_detail", args=[fund.pk])
    last = -(-fund.entry_count // 50)
    pages = [
        Page("ledger, page 1", url),
        Page(f"ledger, page {last // 2}", url, {"page": last // 2}),
        Page(f"ledger, page {last}", url, {"page": last}),
        Page("ledger, 100 a page", url, {"per_page": 100}),
    ]
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="bench-finance"))
    leader = Client(raise_request_exception=False)
    leader.force_login(User.objects.get(username="bench-leader"))
    as_leader = [
        Page("ledger, page 1, leader", url),
        Page("ledger, 100, leader", url, {"per_page": 100}),
    ]
    with served():
        results = measure_pages(client, pages, requests)
        print_table(results + measure_pages(leader, as_leader, requests), requests)
        small_url = reverse("compensation:fund_detail", args=[small.pk])
        counts = [query_count(client, target) for target in (small_url, url)]
    print(
        f"  queries: {counts[0]} for a fund of {small.entry_count} entries, "
        f"{counts[1]} for {fund.entry_count:,} (goal: the same)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
