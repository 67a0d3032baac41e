"""Builds the five files of a report from a year's book, reporting progress as it goes."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from django.utils.translation import gettext as _

from budget.report import document, layouts, pdf, sheets, word
from budget.report.workbook import workbook
from budget.yearbook import YearBook


def chart(book: YearBook):
    from projects.charts import signing_progress_svg

    rows = book.figures.value("_progress_rows") or []
    if not rows:
        return None
    if len(rows) > document.CHART_LIMIT:
        # A chart taller than a page cannot be printed: the largest projects, in their order.
        largest = set(
            id(row) for row in sorted(rows, key=lambda row: -row.households)[: document.CHART_LIMIT]
        )
        rows = [row for row in rows if id(row) in largest]
    return signing_progress_svg(
        rows,
        title=_("%(year)s年各项目签约进度") % {"year": book.year},
        chart_id="report-signing-progress",
    )


def build_files(
    book: YearBook, *, today: date, progress: Callable[[int], None] = lambda _percent: None
) -> dict[str, bytes]:
    """{AnnualReport file field: content} for the year in `book`.

    The Word file's chart is drawn (cairo, with its fonts) before the PDF, then encoded to a
    PNG on a second thread while WeasyPrint writes the PDF: the encoder (libpng and zlib),
    most of the chart's time, runs without holding the GIL and reads no font, so on a
    machine of two cores it no longer adds to the job's time."""
    report = document.build(book, chart=chart(book), today=today)
    progress(20)
    charts = [block for block in report.blocks if isinstance(block, document.Chart)]
    drawn = [(block, word.draw_chart(block)) for block in charts]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-chart") as encoding:
        pngs = {id(block): encoding.submit(word.encode_png, surface) for block, surface in drawn}
        files = {"pdf": pdf.render(report)}
        progress(60)
        files["docx"] = word.render(report, draw=lambda block: pngs[id(block)].result())
    progress(70)
    forms = layouts.form_set(book.budget_year.form_layout)
    files["attachment1"] = workbook(forms.attachment1, [sheets.attachment1(book)])
    progress(80)
    files["attachment2"] = workbook(forms.attachment2, [sheets.attachment2(book)])
    progress(88)
    files["attachment3"] = workbook(forms.attachment3, sheets.attachment3(book))
    progress(95)
    return files
