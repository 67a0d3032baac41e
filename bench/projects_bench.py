"""Benchmark of the projects pages on a large year: 200 projects, 100,000 households.

It writes its own data, so give it a database of its own (created when missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench \
        .venv/bin/python bench/projects_bench.py

It migrates that database, builds the year once (later runs reuse it), then serves the pages
in-process through django.test.Client, logged in as office staff (who see every district,
the heaviest case), and prints the median response time over 20 requests of the project list,
a project's page and the dashboard. Target: each under 200 ms. A page whose route does not exist
yet is skipped with a note.
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PROJECTS = 200
HOUSEHOLDS = 100_000
REQUESTS = 20
TARGET_MS = 200
YEAR = 2022


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
    build_year()
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
        # The maintenance connection Django's test runner uses to create test databases.
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")


def build_year() -> None:
    from django.db import transaction
    from django.utils import timezone
    from stdnum.cn import ric

    from core import demo as core_demo
    from core.models import District, User
    from projects.models import Household, Project, Stage

    if Project.objects.filter(code__startswith="BENCH-").count() >= PROJECTS:
        print(f"reusing {PROJECTS} projects and {Household.objects.count():,} households")
        return
    began = time.monotonic()
    rng = random.Random(2022)
    with transaction.atomic():
        core_demo.load()
        districts = list(District.objects.all())
        operations = User.objects.get(username="operations")
        Household.objects.filter(project__code__startswith="BENCH-").delete()
        Project.objects.filter(code__startswith="BENCH-").delete()
        projects = Project.objects.bulk_create(
            Project(
                code=f"BENCH-{index:03d}",
                name=f"压力测试棚改项目{index:03d}",
                district=districts[index % len(districts)],
                kind=Project.Kind.SHANTYTOWN,
                is_key=index % 10 == 0,
                stage=rng.choice([Stage.SURVEY, Stage.SIGNING, Stage.ENFORCEMENT]),
                started_on=date(2018 + index % 5, 1 + index % 12, 1 + index % 28),
                liaison=operations,
                created_by=operations,
                created_at=timezone.now(),
            )
            for index in range(PROJECTS)
        )
        per_project = HOUSEHOLDS // PROJECTS
        batch = []
        for project in projects:
            for number in range(1, per_project + 1):
                body = f"430502{date(1950, 1, 1) + timedelta(days=rng.randrange(20000)):%Y%m%d}"
                body += f"{rng.randrange(1000):03d}"
                signed = rng.random() < 0.6
                batch.append(
                    Household(
                        project=project,
                        code=f"{number:04d}",
                        head_name=f"测试户{number}",
                        id_number=body + ric.calc_check_digit(body + "0"),
                        phone=f"139{rng.randrange(10**8):08d}",
                        address=f"测试路{number}号",
                        use=Household.Use.RESIDENTIAL,
                        area=Decimal(rng.randrange(3000, 20000)) / 100,
                        signed_on=date(YEAR, 1, 1) + timedelta(days=rng.randrange(500))
                        if signed
                        else None,
                        method=Household.Method.MONETARY if signed else "",
                    )
                )
            if len(batch) >= 10_000:
                Household.objects.bulk_create(batch, batch_size=5_000)
                batch = []
        Household.objects.bulk_create(batch, batch_size=5_000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"built {PROJECTS} projects and {Household.objects.count():,} households "
        f"in {time.monotonic() - began:.1f} s"
    )


def measure() -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import NoReverseMatch, reverse

    from core.models import User
    from core.roles import Section
    from projects.models import Project

    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"name": "压力测试"})
    staff.groups.add(Group.objects.get_or_create(name=Section.OPERATIONS.value)[0])
    project = Project.objects.filter(code__startswith="BENCH-").order_by("code").first()

    pages = [
        ("project list", "projects:project_list", [], {}),
        ("project page", "projects:project_detail", [project.pk], {}),
        ("dashboard", "projects:dashboard", [], {"year": YEAR}),
    ]
    # Serve as production would, minus TLS and the collected static manifest.
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        # A failing page is reported (as HTTP 500) rather than ending the run.
        client = Client(raise_request_exception=False)
        client.force_login(staff)
        print(f"median of {REQUESTS} requests, logged in as office staff (target {TARGET_MS} ms)")
        for label, name, args, query in pages:
            try:
                url = reverse(name, args=args)
            except NoReverseMatch:
                print(f"  {label:<14} skipped: the route {name} does not exist yet")
                continue
            for _ in range(2):  # warm-up: connection, templates, caches
                response = client.get(url, query)
            if response.status_code != 200:
                print(f"  {label:<14} {url}: HTTP {response.status_code}, not measured")
                continue
            with CaptureQueriesContext(connection) as queries:
                client.get(url, query)
            # Read now: the captured queries are a slice of a log the next request clears.
            query_count = len(queries)
            times = []
            for _ in range(REQUESTS):
                began = time.perf_counter()
                client.get(url, query)
                times.append((time.perf_counter() - began) * 1000)
            median = statistics.median(times)
            verdict = "ok" if median < TARGET_MS else "OVER TARGET"
            print(
                f"  {label:<14} {median:7.1f} ms  (min {min(times):.1f}, max {max(times):.1f}; "
                f"{query_count} queries)  {verdict}"
            )


if __name__ == "__main__":
    sys.exit(main())
