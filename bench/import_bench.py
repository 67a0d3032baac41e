"""Benchmark of the household survey import at 10,000 rows, as ratios measured in one run:
the command's path to PostgreSQL's COPY of the same rows, and the page's path (upload →
preview → confirm, and the Celery job that saves a large file, run in-process) to the command.

It writes its own data, so give it a database of its own (created when missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_imports_bench \\
        .venv/bin/python bench/import_bench.py [--rows 10000] [--repeat 9] [--keep] [--verbose]

It migrates that database, creates three projects, generates a valid workbook of --rows
households (the template's columns, ID numbers with correct check digits), then runs --repeat
rounds of three paths (in the opposite order every other round), medians printed:
- COPY: the checked rows' households COPY'd into the household table (rolled back);
- command: `manage.py import_households --project CODE FILE` in this process (call_command:
  read, check, save with history), the households deleted after each run;
- page: a signed-in district user's upload (POST), the preview (GET; a reload is timed apart), and
  the confirmation (POST, which runs the saving job in-process), through Django's test client.
Each path starts on a collected heap and vacuumed, checkpointed household tables (`settle`,
not timed): without the first, the garbage of the path before (10,000 rows' objects) was
collected during the next one, and the page path / command ratio moved by 0.4 with the order
of unrelated changes (1 December 2026); without the others, the saves' times varied by a third
from run to run with the dead rows of the runs before and the checkpoints.
The ratios are the medians of each round's own ratio: on these machines the same work's time
drifts by up to half over tens of seconds (read and check alone: 473-880 ms in one process),
so paths are compared with the ones run beside them.
Goals (issue 16): the command ≤ 20× COPY; the page path ≤ 1.2× the command.
"""

import argparse
import gc
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

COMMAND_GOAL = 20
PAGE_GOAL = 1.2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the imported households")
    parser.add_argument("--verbose", action="store_true", help="print every round's times")
    options = parser.parse_args()
    from bench.database import prepare

    if not prepare(__doc__):
        return 2

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client, override_settings
    from django.urls import reverse

    from config.celery import app as celery_app
    from projects import imports
    from projects.models import HouseholdImport

    # Serve as production would, minus TLS and the collected static manifest.
    override_settings(
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        MEDIA_ROOT=tempfile.mkdtemp(prefix="import-bench-"),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    celery_app.conf.task_always_eager = True  # the saving job runs in this process

    began = time.monotonic()
    data = build_workbook(options.rows)
    path = Path(settings.MEDIA_ROOT) / "bench.xlsx"
    path.write_bytes(data)
    print(
        f"generated a {options.rows:,}-row workbook ({len(data) / 1024:,.0f} KB) "
        f"in {time.monotonic() - began:.2f} s (not counted)"
    )
    copy_project, command_project, page_project = make_projects()
    user = make_user(page_project)
    client = Client()
    client.force_login(user)
    checked = imports.check_household_rows(
        project=copy_project,
        rows=imports.read_household_rows(SimpleUploadedFile("bench.xlsx", data)),
    )
    expect(checked.is_valid, checked.errors[:5])
    columns, rows = imports._copy_rows(copy_project, checked.records)

    class Rollback(Exception):
        pass

    def copy_once() -> float:
        table = connection.ops.quote_name("projects_household")
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                began = time.perf_counter()
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                seconds = time.perf_counter() - began
                raise Rollback
        except Rollback:
            return seconds

    def command_once() -> float:
        out, err = io.StringIO(), io.StringIO()
        began = time.perf_counter()
        call_command(
            "import_households",
            "--project",
            command_project.code,
            str(path),
            stdout=out,
            stderr=err,
        )
        seconds = time.perf_counter() - began
        expect(command_project.households.count() == options.rows, out.getvalue())
        empty(command_project)
        return seconds

    def page_once(data=data, count=options.rows) -> tuple[float, dict[str, float]]:
        steps = {}
        began = time.perf_counter()
        response = client.post(
            reverse("projects:import_create", args=[page_project.pk]),
            {
                "file": SimpleUploadedFile(
                    "bench.xlsx", data, content_type=imports.XLSX_CONTENT_TYPE
                )
            },
        )
        expect(response.status_code == 302, (response.status_code, response.content[:2000]))
        steps["upload"] = time.perf_counter() - began
        mark = time.perf_counter()
        expect(client.get(response["Location"]).status_code == 200)
        steps["preview"] = time.perf_counter() - mark
        record = HouseholdImport.objects.filter(project=page_project).latest("pk")
        mark = time.perf_counter()
        client.post(reverse("projects:import_confirm", args=[record.pk]))
        steps["confirm + job"] = time.perf_counter() - mark
        seconds = time.perf_counter() - began
        # A reload of the preview costs what the first look did (not in the path's total).
        mark = time.perf_counter()
        expect(client.get(response["Location"]).status_code == 200)
        steps["(a reload, after)"] = time.perf_counter() - mark
        record.refresh_from_db()
        expect(record.status == HouseholdImport.Status.IMPORTED, record.errors[:3])
        expect(page_project.households.count() == count)
        empty(page_project)
        return seconds, steps

    try:
        # Warm up (not counted): the first requests load templates and views.
        page_once(build_workbook(5), 5)
        copies, commands, pages, page_steps = [], [], [], []
        for number in range(options.repeat):
            # Every other round runs the paths in the opposite order, so that the machine
            # growing faster or slower during a run favours neither.
            paths = ["copy", "command", "page"]
            for name in paths if number % 2 == 0 else reversed(paths):
                settle()
                if name == "copy":
                    copies.append(copy_once())
                elif name == "command":
                    commands.append(command_once())
                else:
                    seconds, steps = page_once()
                    pages.append(seconds)
                    page_steps.append(steps)
        copy_s, command_s, page_s = (statistics.median(x) for x in (copies, commands, pages))
        if options.verbose:
            for n, (a, b, c) in enumerate(zip(copies, commands, pages, strict=True), start=1):
                steps = "  ".join(f"{k} {v * 1000:.0f}" for k, v in page_steps[n - 1].items())
                print(
                    f"  round {n}: COPY {a * 1000:6.1f}  command {b * 1000:6.1f}  "
                    f"page {c * 1000:6.1f} ms ({steps}); page / command {c / b:.2f}×"
                )
        print(f"  COPY of {options.rows:,} household rows      median {copy_s * 1000:8.1f} ms")
        print(f"  command (import_households)          median {command_s * 1000:8.1f} ms")
        print(f"  page path (upload, preview, confirm) median {page_s * 1000:8.1f} ms")
        for name in page_steps[0]:
            step = statistics.median(s[name] for s in page_steps)
            print(f"    {name:<20} median {step * 1000:8.1f} ms")
        # Each ratio is the median of the rounds' own ratios (the paths of one round run
        # seconds apart): this machine's speed drifts by half over tens of seconds, which a
        # ratio of medians taken from different rounds would carry.
        command_ratio = statistics.median(b / a for a, b in zip(copies, commands, strict=True))
        page_ratio = statistics.median(c / b for b, c in zip(commands, pages, strict=True))
        print(
            f"command / COPY: {command_ratio:.1f}× (goal ≤ {COMMAND_GOAL}×): "
            f"{'OK' if command_ratio <= COMMAND_GOAL else 'NOT MET'}"
        )
        print(
            f"page path / command: {page_ratio:.2f}× (goal ≤ {PAGE_GOAL}×): "
            f"{'OK' if page_ratio <= PAGE_GOAL else 'NOT MET'}; "
            f"fastest rounds' ratio {min(pages) / min(commands):.2f}×, "
            f"rounds' ratios {min(p / c for c, p in zip(commands, pages, strict=True)):.2f}–"
            f"{max(p / c for c, p in zip(commands, pages, strict=True)):.2f}×"
        )
    finally:
        if not options.keep:
            for project in (copy_project, command_project, page_project):
                empty(project)
    return 0


def settle() -> None:
    """What each path starts from (not timed): a collected heap, since the garbage one path
    leaves (10,000 rows' objects) would otherwise be collected during the next one; and the
    household tables vacuumed and checkpointed, since the rows the path before deleted leave
    dead index entries that the next insert of the same 户号 steps over, and dirty pages a
    checkpoint may write in the middle of the next path."""
    from django.db import connection

    from projects.models import Household

    gc.collect()
    with connection.cursor() as cursor:
        for model in (Household, Household.history.model):
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute("CHECKPOINT")


def expect(condition, detail="") -> None:
    if not condition:
        raise SystemExit(f"bench failed: {detail}")


def make_user(project):
    from core.models import User

    user, _ = User.objects.get_or_create(
        username="bench-import", defaults={"name": "导入基准", "district": project.district}
    )
    return user


class timed:
    def __init__(self, label: str):
        self.label = label
        self.seconds = 0.0

    def __enter__(self):
        self.began = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.began
        if exc[0] is None:
            print(f"  {self.label:<50} {self.seconds:6.2f} s")
        return False


def build_workbook(rows: int) -> bytes:
    """A filled-in template: every row valid, as a district office would send it."""
    import random

    from openpyxl import Workbook
    from stdnum.cn import ric

    from projects.imports import HARDSHIP_BY_LABEL, HEADERS

    rng = random.Random(2022)
    hardships = ["", "", "", "", *HARDSHIP_BY_LABEL]
    # A normal (not write-only) workbook, like Excel's and WPS's files, declares its
    # <dimension>, which openpyxl's read-only mode reads first.
    book = Workbook()
    sheet = book.active
    sheet.title = "被征收户"
    sheet.append(list(HEADERS))
    used = set()
    for n in range(1, rows + 1):
        body = ""
        while not body or body in used:
            born = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            body = f"430502{born}{rng.randint(0, 999):03d}"
        used.add(body)
        sheet.append(
            [
                f"B{n:05d}",
                f"测试户主{n}",
                body + ric.calc_check_digit(body + "0"),
                f"139{rng.randint(0, 99_999_999):08d}",
                f"双清区测试路{n // 10}号{n % 10}栋",
                "住宅" if rng.random() < 0.9 else "非住宅",
                f"{rng.randint(30, 200)}.{rng.randint(0, 99):02d}",
                rng.choice(hardships),
                "" if rng.random() < 0.8 else "有搭建",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_projects():
    """Two fixed projects, emptied of what an earlier run imported into them."""
    from core.models import District
    from projects.models import Project

    district, _ = District.objects.get_or_create(
        code="bench-import", defaults={"name": "导入测试区"}
    )
    made = []
    for suffix in "ABC":
        project, _ = Project.objects.get_or_create(
            code=f"BENCH-IMPORT-{suffix}",
            defaults={"name": f"导入测试项目{suffix}", "district": district, "kind": "other"},
        )
        empty(project)
        made.append(project)
    return made


def empty(project) -> None:
    from django.db import connection, transaction

    from projects.models import Household, HouseholdImport

    with transaction.atomic():
        for record in HouseholdImport.objects.filter(project=project):
            record.file.delete(save=False)
        HouseholdImport.objects.filter(project=project).delete()
        # Plain SQL: the bench's households have nothing attached, and the ORM's cascade
        # collector would visit every app's related tables (some may not be migrated yet).
        with connection.cursor() as cursor:
            for model in (Household.history.model, Household):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE project_id = %s",  # noqa: S608
                    [project.pk],
                )


if __name__ == "__main__":
    sys.exit(main())
