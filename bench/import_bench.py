"""Benchmark of the household survey import: a 10,000-row file, read, checked and saved.

It writes its own data, so give it a database of its own (created when missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_imports_bench \\
        .venv/bin/python bench/import_bench.py [--rows 10000] [--keep]

It migrates that database, creates a project, generates a valid workbook of --rows households
(the template's columns, ID numbers with correct check digits), then times the same functions
the web page and `import_households` use: reading the file, checking every row, and saving
the rows with their history in one transaction; then the whole command path end to end on a
second project. The two bench projects are emptied afterwards unless --keep is given.
Target on a 2-core machine: the 10,000-row import under 10 s.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

TARGET_SECONDS = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the imported households")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print(__doc__)
        print("DATABASE_URL is not set: refusing to fill the development database.")
        return 2

    import django

    django.setup()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, transaction

    from projects import imports

    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    began = time.monotonic()
    data = build_workbook(options.rows)
    print(
        f"generated a {options.rows:,}-row workbook ({len(data) / 1024:,.0f} KB) "
        f"in {time.monotonic() - began:.2f} s (not counted)"
    )

    project, other = make_projects()
    try:
        upload = SimpleUploadedFile("bench.xlsx", data, content_type=imports.XLSX_CONTENT_TYPE)
        with timed("read (openpyxl, read-only)") as read:
            rows = imports.read_household_rows(upload)
        with timed("check (every row, 1 query)") as check:
            result = imports.check_household_rows(project=project, rows=rows)
        if result.errors:
            print("unexpected errors:", result.errors[:5])
            return 1
        with timed("save (bulk insert + history)") as save, transaction.atomic():
            imports.save_households(households=result.households, by=None, reason="bench")
        parse_and_check = read.seconds + check.seconds
        total = parse_and_check + save.seconds
        print(
            f"parse + validate: {parse_and_check:.2f} s; save: {save.seconds:.2f} s; "
            f"total {total:.2f} s"
        )

        upload = SimpleUploadedFile("bench.xlsx", data, content_type=imports.XLSX_CONTENT_TYPE)
        with timed("command path end to end (import_household_file)") as whole:
            record, _ = imports.import_household_file(project=other, file=upload)
        if record.row_count != options.rows:
            print(f"expected {options.rows} rows, the import saved {record.row_count}")
            return 1
        verdict = "OK" if max(total, whole.seconds) < TARGET_SECONDS else "TOO SLOW"
        print(
            f"{options.rows:,} rows imported in {whole.seconds:.2f} s end to end "
            f"(target < {TARGET_SECONDS} s): {verdict}"
        )
    finally:
        if not options.keep:
            empty(project)
            empty(other)
    return 0


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
    for suffix in "AB":
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
