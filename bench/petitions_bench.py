"""Benchmark of the petitions pages on a heavy office: 20,000 cases, 3,000 of them open, and
30,000 reception-log entries.

The due list, the home page count and the deadlines page compute each open case's clock in
Python (holidays make the due date impossible to filter in SQL), so this is the number to watch
as open cases pile up. It writes its own data, so give it a database of its own (created when
missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench_petitions \
        .venv/bin/python bench/petitions_bench.py

It migrates that database, builds the data once (later runs reuse it), then serves the pages
in-process through django.test.Client, logged in as office staff (who see every district, the
heaviest case), and prints the median response time over 20 requests. Target: each under
200 ms.
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
    from core.models import District, User
    from petitions.models import Category, Channel, Petition, Petitioner, Status, Visit

    if (
        Petition.objects.filter(reference__startswith="BENCH").count() >= CASES
        and "--rebuild" not in sys.argv
    ):
        print(f"reusing {CASES:,} cases and {Visit.objects.count():,} visits")
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
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built {CASES:,} cases and {VISITS:,} visits in {time.monotonic() - began:.1f} s")


def measure() -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from core.models import User
    from core.roles import Section

    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"name": "压力测试"})
    staff.groups.add(Group.objects.get_or_create(name=Section.OPERATIONS.value)[0])
    year = timezone.localdate().year
    pages = [
        ("case list", reverse("petitions:petition_list"), {}),
        ("due list", reverse("petitions:petition_due"), {}),
        ("visit list", reverse("petitions:visit_list"), {}),
        ("year figures", reverse("petitions:petition_figures"), {"year": year}),
        ("home page", reverse("core:home"), {}),
        ("deadlines page", reverse("core:deadline_list"), {}),
    ]
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        client = Client(raise_request_exception=False)
        client.force_login(staff)
        print(f"median of {REQUESTS} requests, logged in as office staff (target {TARGET_MS} ms)")
        for label, url, query in pages:
            for _ in range(2):
                response = client.get(url, query)
            if response.status_code != 200:
                print(f"  {label:<15} {url}: HTTP {response.status_code}, not measured")
                continue
            with CaptureQueriesContext(connection) as queries:
                client.get(url, query)
            query_count = len(queries)
            times = []
            for _ in range(REQUESTS):
                began = time.perf_counter()
                client.get(url, query)
                times.append((time.perf_counter() - began) * 1000)
            median = statistics.median(times)
            verdict = "ok" if median < TARGET_MS else "OVER TARGET"
            print(
                f"  {label:<15} {median:7.1f} ms  (min {min(times):.1f}, max {max(times):.1f}; "
                f"{query_count} queries)  {verdict}"
            )


if __name__ == "__main__":
    sys.exit(main())
