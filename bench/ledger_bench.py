"""Benchmark of the compensation ledger: posting disbursements one by one and from concurrent
approvers on one fund (the row lock serialises them), then `check_ledgers` over the result.

Ledger rows can never be deleted (a trigger refuses it on PostgreSQL), so give it a database
of its own (created when missing) and drop it afterwards if you like:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_ledger_bench \\
        .venv/bin/python bench/ledger_bench.py [--entries 2000] [--threads 8]

Targets on a 2-core machine: a posting under 20 ms on average, the whole check under
2 s for 10,000 entries.
"""

import argparse
import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print(__doc__)
        print("DATABASE_URL is not set: refusing to write into the development database.")
        return 2

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from compensation import ledger, services
    from compensation.models import LedgerEntry

    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
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
    began = time.monotonic()
    for item in sequential:
        services.approve_disbursement(request=item, approved_by=approver)
    seconds = time.monotonic() - began
    print(
        f"  {options.entries:,} postings one by one: {seconds:.2f} s "
        f"({seconds / options.entries * 1000:.1f} ms each)"
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

    total = LedgerEntry.objects.count()
    began = time.monotonic()
    check = ledger.check_all()
    seconds = time.monotonic() - began
    print(f"  check_ledgers over {total:,} entries: {seconds:.2f} s, ok={check.is_ok}")
    return 0 if check.is_ok else 1


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
    return users[0], users[1], project


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


if __name__ == "__main__":
    raise SystemExit(main())
