"""Writing .xlsx files people open in Excel or WPS: formula-safe text, write-only sheets.

Exporters yield rows into a write-only openpyxl workbook (as pretix does), so memory stays
flat however many rows there are. Every text cell goes through `protect_text`: a cell that
begins with = + - @ (or a tab or carriage return) would be run as a formula by a
spreadsheet (CSV/formula injection), so it is written as a string cell with the
quote-prefix style (the cell format's "'" that Excel and WPS set when one types '=1+1):
the text shows unchanged, nothing evaluates, and editing the cell keeps it text.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

TEXT = "@"
AREA = "#,##0.00"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
INTEGER = "0"


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def protect_text(cell):
    """Make a text cell that looks like a formula show as text and never evaluate: a string
    cell (openpyxl would store "=…" as a formula) with the quote-prefix style. The text
    itself is left as it is. Returns the cell."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def protect_sheet(sheet) -> None:
    """`protect_text` on every cell of an ordinary (not write-only) worksheet."""
    for row in sheet.iter_rows():
        for cell in row:
            protect_text(cell)


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A write-only cell holding `value` as text (see `protect_text`)."""
    return protect_text(WriteOnlyCell(sheet, value=value))


@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: int
    number_format: str | None = None


def _cell(sheet, value: Any, number_format: str | None):
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones: write the office's local time.
        value = timezone.localtime(value).replace(tzinfo=None)
    cell = protect_text(WriteOnlyCell(sheet, value=value))
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def write_workbook(
    *, title: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]]
) -> bytes:
    """One sheet: a styled header row, then the rows (values already in display form)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1D3F72")
    header_alignment = Alignment(horizontal="center", vertical="center")
    header = []
    for column in columns:
        cell = text_cell(sheet, column.header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = header_alignment
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = zip(columns, row, strict=True)
        sheet.append([_cell(sheet, value, column.number_format) for column, value in cells])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
