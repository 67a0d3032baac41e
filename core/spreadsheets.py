"""Writing .xlsx files people open in Excel or WPS: formula-safe text, write-only sheets.

Exporters yield rows into a write-only openpyxl workbook (as pretix does), so memory stays
flat however many rows there are. Every text cell goes through `safe_text`: a cell that
begins with = + - @ (or a tab or carriage return) would be run as a formula by a
spreadsheet (CSV/formula injection), so it is written with a leading single quote.
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


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: int
    number_format: str | None = None


def _cell(sheet, value: Any, number_format: str | None):
    if isinstance(value, str):
        value = safe_text(value)
    elif isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones: write the office's local time.
        value = timezone.localtime(value).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
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
        cell = WriteOnlyCell(sheet, value=safe_text(column.header))
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
