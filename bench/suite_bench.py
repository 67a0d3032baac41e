"""The timings that used to be test assertions, measured here instead of failing tests.

Tests never compare a duration against a limit (a slow or shared machine would make them fail
for nothing); this script prints the same figures, with ratios measured in the same run:

- `load_demo` on an empty database, and its second run (which must change nothing);
- refusing unusable uploads (an XML entity bomb in sharedStrings.xml and in the worksheet, a
  CSV renamed .xlsx), as a ratio to reading a small valid workbook.

It writes its own data, so give it a database of its own (created when missing, emptied first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_suite_bench \\
        .venv/bin/python bench/suite_bench.py

Former limits in the tests: load_demo under 10 s, an unusable file refused under 5 s, a bomb
under 2 s.
"""

import contextlib
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

REPEAT = 20


def main() -> int:
    from bench.database import prepare

    if not prepare(__doc__):
        return 2
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    began = time.perf_counter()
    call_command("load_demo", stdout=StringIO())
    first = time.perf_counter() - began
    began = time.perf_counter()
    call_command("load_demo", stdout=StringIO())
    second = time.perf_counter() - began
    print(f"load_demo on an empty database: {first:.2f} s (former test limit 10 s)")
    print(f"load_demo again (changes nothing): {second:.2f} s ({second / first:.2f}x the first)")

    refusals()
    return 0


def refusals() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects import imports
    from tests.projects import test_imports as t

    def median_ms(data: bytes, name: str = "households.xlsx") -> float:
        times = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            with contextlib.suppress(imports.ValidationError):
                imports.read_household_rows(SimpleUploadedFile(name, data))
            times.append((time.perf_counter() - began) * 1000)
        return statistics.median(times)

    valid = median_ms(t.workbook([t.good_row(n) for n in range(1, 11)]))
    print(f"reading a valid 10-row workbook: {valid:.1f} ms median (the unit below)")
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{t.laughs_doctype("worksheet")}'
        f'<worksheet xmlns="{t.MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
    )
    cases = {
        "XML bomb in sharedStrings.xml (former limit 2 s)": t.bomb_workbook(),
        "XML bomb in the worksheet (former limit 2 s)": t.handmade_workbook(
            shared_strings=t.shared_strings("户号"), sheet=sheet
        ),
        "CSV renamed .xlsx (former limit 5 s)": "户号,户主姓名\n".encode() * 10,
    }
    for label, data in cases.items():
        ms = median_ms(data)
        print(f"refusing a {label}: {ms:.1f} ms median, {ms / valid:.2f}x the valid read")


if __name__ == "__main__":
    sys.exit(main())
