"""Benchmark of the projects pages on a large year: 200 projects, 100,000 households.

It writes its own data, so give it a database of its own (created when missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench \
        .venv/bin/python bench/projects_bench.py

It migrates that database, builds the year once (later runs reuse it), then serves the pages
in-process through django.test.Client (bench/pages.py), logged in as office staff (who see
every district, the heaviest case): the project list (first page, a later page, a search), a
project's page, its household lists (the register, the compensation list, the valuations;
first page, a later page, a search) and the dashboard (first page and a later one). Each is
timed alternately with a trivial Django view in the same run and printed as a ratio to it.
Goal (issue 16): each ≤ 10× the trivial view and under 200 ms median.

`--only LABEL` measures only the pages whose label starts with LABEL (e.g. `--only "project
page"`), for a quicker run while working on one page.
"""

import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PROJECTS = 200
HOUSEHOLDS = 100_000
YEAR = 2022


def main() -> int:
    from bench.database import prepare

    if not prepare(__doc__):
        return 2
    build_year()
    measure()
    return 0


def build_year() -> None:
    from django.db import transaction
    from django.utils import timezone
    from stdnum.cn import ric

    from core import demo as core_demo
    from core.models import District, User
    from projects.models import Household, Project, Stage

    if Project.objects.filter(code__startswith="BENCH-").count() >= PROJECTS:
        print(f"reusing {PROJECTS} projects and {Household.objects.count():,} households")
        late = Household.objects.filter(
            project__code__startswith="BENCH-", registered_on__gt=date(YEAR, 12, 31)
        )
        if late.exists():
            register_at_start()
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
                        registered_on=project.started_on,
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
    register_at_start()
    print(
        f"built {PROJECTS} projects and {Household.objects.count():,} households "
        f"in {time.monotonic() - began:.1f} s"
    )


def register_at_start() -> None:
    """Date each household's registration (registered_on) on its project's start, so that the
    figures of YEAR count all 100,000 (a household registered after the year is not in them),
    then VACUUM ANALYZE, as autovacuum would have done on a database in use.

    Databases built before this registered their households on the day of the run, which left
    the dashboard of YEAR summing no household: a reused one is brought in line here, once."""
    from django.db import connection

    from projects.models import Household

    late = Household.objects.filter(
        project__code__startswith="BENCH-", registered_on__gt=date(YEAR, 12, 31)
    )
    for project_id, started_on in (
        late.values_list("project_id", "project__started_on").distinct().order_by()
    ):
        Household.objects.filter(project_id=project_id).update(registered_on=started_on)
        print(f"dated project {project_id}'s households' registration on its start")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")


def measure() -> None:
    from django.urls import reverse

    from bench.pages import Page, measure_pages, print_table, served, staff_client
    from projects.models import Project

    project = Project.objects.filter(code__startswith="BENCH-").order_by("code").first()
    households = reverse("projects:household_list", args=[project.pk])
    pages = [
        Page("project list", reverse("projects:project_list")),
        Page("project list, page 3", reverse("projects:project_list"), {"page": 3}),
        Page("project list, search", reverse("projects:project_list"), {"q": "项目01"}),
        Page("project page", reverse("projects:project_detail", args=[project.pk])),
        Page("household list", households),
        Page("household list, page 5", households, {"page": 5}),
        Page("household list, search", households, {"q": "测试路1", "signed": "no"}),
        Page(
            "compensation households",
            reverse("compensation:project_households", args=[project.pk]),
        ),
        Page("valuations", reverse("appraisers:valuation_list", args=[project.pk])),
        Page("dashboard", reverse("projects:dashboard"), {"year": YEAR}),
        Page("dashboard, page 4", reverse("projects:dashboard"), {"year": YEAR, "page": 4}),
    ]
    if "--only" in sys.argv:
        label = sys.argv[sys.argv.index("--only") + 1]
        pages = [page for page in pages if page.label.startswith(label)]
    with served():
        print_table(measure_pages(staff_client(), pages))


if __name__ == "__main__":
    sys.exit(main())
