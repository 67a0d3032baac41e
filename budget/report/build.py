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

    The Word file's chart is drawn to a PNG on a second thread while the workbooks are built:
    cairo's PNG encoder, most of that drawing's time, runs without holding the GIL, so on a
    machine of two cores it adds little to the job's time. (Not beside the PDF: WeasyPrint's
    Pango and cairosvg's cairo would then use fontconfig and FreeType at the same time.)"""
    report = document.build(book, chart=chart(book), today=today)
    progress(20)
    pdf_file = pdf.render(report)
    progress(60)
    charts = [block for block in report.blocks if isinstance(block, document.Chart)]
    forms = layouts.form_set(book.budget_year.form_layout)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-chart") as drawing:
        pngs = {id(block): drawing.submit(word.chart_png, block) for block in charts}
        attachment1 = workbook(forms.attachment1, [sheets.attachment1(book)])
        progress(70)
        attachment2 = workbook(forms.attachment2, [sheets.attachment2(book)])
        progress(80)
        attachment3 = workbook(forms.attachment3, sheets.attachment3(book))
        progress(88)
        docx_file = word.render(report, draw=lambda block: pngs[id(block)].result())
    progress(95)
    return {
        "pdf": pdf_file,
        "docx": docx_file,
        "attachment1": attachment1,
        "attachment2": attachment2,
        "attachment3": attachment3,
    }
