"""Benchmark of the compensation ledger: posting disbursements one by one (each printed as a
ratio to a trivial Django view timed in the same run) and from concurrent approvers on one fund
(the row lock serialises them), then `check_ledgers` over --check-entries entries (a second
fund's ledger of that many entries, hash chain and all, is written with COPY first).

Ledger rows can never be deleted (a trigger refuses it on PostgreSQL), so give it a database
of its own (created when missing) and drop it afterwards if you like. The long fund is written
once and reused by later runs on the same database (it is found by its account number,
BENCH-LONG-<count>); each run adds its postings to a new small fund.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_ledger_bench \\
        .venv/bin/python bench/ledger_bench.py [--entries 2000] [--threads 8] \\
            [--check-entries 500000]

Goals (issue 16): a posting under 15 ms; check_ledgers on 500,000 entries under 20 s.
"""

import argparse
import os
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--check-entries", type=int, default=500_000)
    options = parser.parse_args()
    from bench.database import prepare

    if not prepare(__doc__):
        return 2

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from compensation import ledger, services
    from compensation.models import Fund, LedgerEntry

    finance, approver, project = make_world()
    fund = services.open_fund(project=project, by=finance)
    services.record_deposit(
        fund=fund,
        by=finance,
        amount=10**10,
        source="fiscal",
        voucher_number="BENCH",
        received_on=fund.opened_on,
    )

    def request():
        return services.request_disbursement(
            fund=fund,
            by=finance,
            idempotency_key=uuid.uuid4().hex,
            amount=1,
            category="working",
            purpose="bench",
        )

    sequential = [request() for _ in range(options.entries)]
    reset_queries()  # with DEBUG on the log is capped: count one posting's queries on its own
    counted = request()
    with CaptureQueriesContext(connection) as queries:
        services.approve_disbursement(request=counted, approved_by=approver)
    statements = [q["sql"] for q in queries if q["sql"] not in ("BEGIN", "COMMIT")]
    backend_before = backend_cpu_seconds()
    cpu_before = time.process_time()
    began = time.monotonic()
    for item in sequential:
        services.approve_disbursement(request=item, approved_by=approver)
    seconds = time.monotonic() - began
    cpu_ms = (time.process_time() - cpu_before) / options.entries * 1000
    backend_ms = (backend_cpu_seconds() - backend_before) / options.entries * 1000
    posting_ms = seconds / options.entries * 1000
    trivial_ms = trivial_view_ms(approver)
    print(
        f"  {options.entries:,} postings one by one: {seconds:.2f} s "
        f"({posting_ms:.1f} ms each wall, CPU {cpu_ms:.1f} ms in Python + {backend_ms:.1f} ms "
        f"in PostgreSQL, {len(statements)} queries each; goal < 15 ms) = "
        f"{posting_ms / trivial_ms:.1f}× a trivial view ({trivial_ms:.2f} ms median, same run)"
    )

    concurrent = [request() for _ in range(options.entries)]
    chunks = [concurrent[n :: options.threads] for n in range(options.threads)]

    def approve(items):
        try:
            for item in items:
                services.approve_disbursement(request=item, approved_by=approver)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(chunk,)) for chunk in chunks]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    print(
        f"  {options.entries:,} postings from {options.threads} threads: {seconds:.2f} s "
        f"({seconds / options.entries * 1000:.1f} ms each, serialised by the fund's row lock)"
    )

    if options.check_entries:
        if Fund.objects.filter(account_number=f"BENCH-LONG-{options.check_entries}").exists():
            print(f"  reusing the long fund of {options.check_entries:,} entries")
        else:
            began = time.monotonic()
            long_ledger(finance, options.check_entries)
            print(
                f"  wrote a second fund's {options.check_entries:,} entries with COPY in "
                f"{time.monotonic() - began:.1f} s (not counted)"
            )
    total = LedgerEntry.objects.count()
    backend_before = backend_cpu_seconds()
    cpu_before = time.process_time()
    began = time.monotonic()
    check = ledger.check_all()
    seconds = time.monotonic() - began
    cpu = time.process_time() - cpu_before
    backend = backend_cpu_seconds() - backend_before
    print(
        f"  check_ledgers over {total:,} entries: {seconds:.2f} s wall (goal < 20 s at "
        f"500,000); CPU {cpu:.2f} s in Python + {backend:.2f} s in its PostgreSQL backend; "
        f"ok={check.is_ok}"
    )
    return 0 if check.is_ok else 1


def backend_cpu_seconds() -> float:
    """CPU time (user + system, seconds) of this connection's PostgreSQL backend process, read
    from /proc when the server runs on this machine (0 otherwise)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def trivial_view_ms(user, requests: int = 300) -> float:
    """The median of a trivial Django view (bench_urls), through the full middleware."""
    import statistics

    from django.test import Client, override_settings

    with override_settings(
        ROOT_URLCONF="bench.bench_urls", ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False
    ):
        client = Client()
        client.force_login(user)
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get("/bench/trivial/")
            times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times[20:])


def long_ledger(user, count: int) -> None:
    """A fund of `count` deposits (hash-chained as the ledger chains them), written with COPY."""
    from django.db import connection, transaction

    from compensation import ledger
    from compensation.models import Fund, LedgerEntry

    _, _, project = make_world()
    fund = Fund.objects.create(
        project=project,
        opened_on=date(2022, 1, 1),
        opened_by=user,
        account_number=f"BENCH-LONG-{count}",
    )
    fields = [f for f in LedgerEntry._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    recorded_at = datetime(2022, 1, 1, tzinfo=UTC)
    with transaction.atomic():
        fund = ledger.lock_fund(fund)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for n in range(count):
                # Deposits: a disbursement needs a request row of its own; the check does the
                # same work for every kind (hash, sequence, running balance, totals).
                entry = ledger.build_entry(
                    fund,
                    recorded_by=user,
                    recorded_at=recorded_at,
                    kind="deposit",
                    amount=Decimal(100 + n % 7),
                    occurred_on=date(2022, 1, 1),
                    source="fiscal",
                    voucher_number=f"V{n}",
                    purpose="bench",
                )
                copy.write_row([getattr(entry, f.attname) for f in fields])
        fund.save(update_fields=ledger.FUND_FIELDS)


def make_world():
    from django.contrib.auth.models import Group

    from core.models import District, User
    from core.roles import Section
    from projects.models import Project

    district, _ = District.objects.get_or_create(code="bench", defaults={"name": "基准区"})
    users = []
    for username, section in (("bench-finance", Section.FINANCE), ("bench-leader", Section.LEADER)):
        user, _ = User.objects.get_or_create(username=username, defaults={"name": username})
        user.groups.add(Group.objects.get_or_create(name=section.value)[0])
        users.append(user)
    project = Project.objects.create(
        code=f"BENCH-{uuid.uuid4().hex[:8]}",
        name="资金账户基准项目",
        district=district,
        kind="other",
    )
    # Disbursements to the district need the project's compensation plan approved (the gate).
    from tests.compensation.factories import approve_plan

    approve_plan(project)
    return users[0], users[1], project


if __name__ == "__main__":
    raise SystemExit(main())
