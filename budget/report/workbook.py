"""Writes a sheet from a layout (budget.report.layouts) and its data (budget.report.sheets).

The writer knows cells, spans, styles and print settings, not what any figure means. Sheets
are laid out to print: merged headers, thin borders on every cell of the table, number
formats, column widths, A4 landscape fitted to the page width, title rows repeated.
"""

import math
from copy import copy
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from budget.report import layouts
from budget.report.layouts import Cell, Repeat, Row, SheetLayout
from core.spreadsheets import protect_text

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")
NUMBER_FORMATS = {
    layouts.WAN: "#,##0.00",
    layouts.SCORE: "0.00",
    layouts.PERCENT: "0.00%",
    layouts.INT: "0",
    layouts.AREA: "#,##0.00",
}
BASE_HEIGHT = 20  # points for one line of 11-point text
LINE_HEIGHT = 15
SHEET_NAME_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\"})


def _style(cell, style: str, fmt: str) -> None:
    if style == layouts.TITLE:
        cell.font = Font(name=FONT, size=16, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        return
    if style == layouts.SUBTITLE:
        cell.font = Font(name=FONT, size=11)
        cell.alignment = Alignment(horizontal="left", vertical="center")
        return
    cell.border = BORDER
    bold = style in (layouts.HEADER, layouts.TOTAL)
    cell.font = Font(name=FONT, size=11 if style != layouts.WRAP else 10, bold=bold)
    if style == layouts.HEADER:
        cell.fill = HEADER_FILL
    if fmt in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[fmt]
        cell.alignment = Alignment(horizontal="right", vertical="center")
    elif style == layouts.WRAP or style == layouts.LABEL:
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    else:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _value(spec: Cell, data: dict):
    if spec.key:
        value = data.get(spec.key)
        if value is None:
            return "—" if spec.fmt != layouts.TEXT else ""
        if isinstance(value, Decimal):
            # openpyxl writes Decimals as numbers; keep two places for money and scores.
            return float(value) if spec.fmt == layouts.PERCENT else value
        return value
    return str(spec.text).format_map(_Defaulting(data)) if spec.text else ""


def is_sample(key: str, sample_keys) -> bool:
    """Whether a figure's key is one of the year's sample (示例) data: the key itself or a key
    under it ("three_public" covers "three_public.budget")."""
    return any(key == sample or key.startswith(f"{sample}.") for sample in sample_keys)


SAMPLE_NOTE = gettext_lazy("示例数据：种子报告未给出此数，为演示而编造，并非单位实际数据。")


class _Defaulting(dict):
    def __missing__(self, key):
        return ""


def _text_width(value) -> int:
    """Display width in character cells: CJK characters take two."""
    text = str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


class _Styles:
    """A workbook's cell styles by (style, format), each worked out once: openpyxl looks a
    Font, Border or Alignment up in the workbook's collections by hashing all its attributes,
    which cost more than the rest of the sheets. The first cell of each pair is styled as
    `_style` says; the others take a copy of its indices into the collections, so the file
    is the same."""

    def __init__(self):
        self.arrays: dict[tuple[str, str], StyleArray] = {}
        self.border_id: int | None = None

    def apply(self, cell, style: str, fmt: str) -> None:
        if cell.has_style:  # e.g. a date's number format: style it attribute by attribute
            _style(cell, style, fmt)
            return
        array = self.arrays.get((style, fmt))
        if array is None:
            _style(cell, style, fmt)
            self.arrays[(style, fmt)] = copy(cell._style)
        else:
            cell._style = copy(array)

    def border(self, cell) -> None:
        """`cell.border = BORDER`, with the border's index looked up once."""
        if self.border_id is None:
            self.border_id = cell.parent.parent._borders.add(BORDER)
        if cell._style is None:
            cell._style = StyleArray()
        cell._style.borderId = self.border_id


class _Sheet:
    def __init__(self, worksheet: Worksheet, layout: SheetLayout, styles: _Styles | None = None):
        self.ws = worksheet
        self.layout = layout
        self.styles = styles or _Styles()
        self.row = 1
        self.covered: set[tuple[int, int]] = set()  # (row, column) under a rowspan

    def width(self, column: int, span: int) -> float:
        return sum(self.layout.widths[column - 1 : column - 1 + span])

    def write(self, cells: list[Cell], data: dict, height: float | None = None) -> list:
        """Write one row; returns (column, span, value) of each cell for merging later."""
        column = 1
        lines = 1
        written = []
        for spec in cells:
            while (self.row, column) in self.covered:
                column += 1
            value = _value(spec, data)
            cell = self.ws.cell(row=self.row, column=column, value=value)
            self.styles.apply(cell, spec.style, spec.fmt)
            if spec.key and is_sample(spec.key, data.get("_sample_keys", ())):
                cell.comment = Comment(str(SAMPLE_NOTE), _("示例数据"), width=240, height=80)
            protect_text(cell)
            last_column = column + spec.span - 1
            last_row = self.row + spec.rowspan - 1
            if spec.style not in (layouts.TITLE, layouts.SUBTITLE):
                for r in range(self.row, last_row + 1):
                    for c in range(column, last_column + 1):
                        self.styles.border(self.ws.cell(row=r, column=c))
            if last_column > column or last_row > self.row:
                self.ws.merge_cells(
                    start_row=self.row,
                    start_column=column,
                    end_row=last_row,
                    end_column=last_column,
                )
            for r in range(self.row + 1, last_row + 1):
                for c in range(column, last_column + 1):
                    self.covered.add((r, c))
            if spec.rowspan == 1 and value not in (None, ""):
                room = max(self.width(column, spec.span) - 1, 1)
                needed = sum(
                    max(1, math.ceil(_text_width(part) / room)) for part in str(value).splitlines()
                )
                lines = max(lines, needed)
            written.append((column, spec.span, value))
            column = last_column + 1
        self.ws.row_dimensions[self.row].height = height or max(
            BASE_HEIGHT, LINE_HEIGHT * lines + 5
        )
        self.row += 1
        return written

    def repeat(self, block: Repeat, data: dict) -> None:
        first = self.row
        rows = [
            self.write(block.cells, {**data, **record}) for record in data.get(block.source, [])
        ]
        for index in block.merge_same:
            start = 0
            for position in range(1, len(rows) + 1):
                ended = position == len(rows) or (
                    rows[position][index][2] != rows[start][index][2]
                    # a column merges only inside the groups of the columns before it
                    or any(
                        rows[position][prior][2] != rows[start][prior][2]
                        for prior in block.merge_same
                        if prior < index
                    )
                )
                if ended:
                    if position - start > 1:
                        column = rows[start][index][0]
                        self.ws.merge_cells(
                            start_row=first + start,
                            start_column=column,
                            end_row=first + position - 1,
                            end_column=column,
                        )
                    start = position

    def finish(self) -> None:
        ws = self.ws
        for index, width in enumerate(self.layout.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        setup = ws.page_setup
        setup.paperSize = ws.PAPERSIZE_A4
        setup.orientation = "landscape" if self.layout.landscape else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        if self.layout.title_rows:
            ws.print_title_rows = f"1:{self.layout.title_rows}"
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_sheet(
    worksheet: Worksheet, layout: SheetLayout, data: dict, styles: _Styles | None = None
) -> None:
    """Write `data` into `worksheet` as `layout` lays it out; `styles`, the workbook's styles
    worked out so far, when it has other sheets (a new set otherwise)."""
    sheet = _Sheet(worksheet, layout, styles)
    for block in layout.rows:
        if isinstance(block, Row):
            sheet.write(block.cells, data, block.height)
        else:
            sheet.repeat(block, data)
    sheet.finish()


def _sheet_name(layout: SheetLayout, data: dict, taken: set[str]) -> str:
    base = str(layout.name).format_map(_Defaulting(data)).translate(SHEET_NAME_FORBIDDEN)
    base = base[:28] or "Sheet"
    name, number = base, 2
    while name in taken:
        name = f"{base[:26]}{number}"
        number += 1
    taken.add(name)
    return name


def workbook(layout: SheetLayout, sheets: list[dict]) -> bytes:
    """A workbook with one sheet per data dict, each laid out by `layout`."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    styles = _Styles()
    for data in sheets:
        write_sheet(book.create_sheet(_sheet_name(layout, data, taken)), layout, data, styles)
    if not sheets:
        book.create_sheet(_sheet_name(layout, {}, taken))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def comparison_workbook(comparison) -> bytes:
    """The year-over-year comparison (budget.comparison) as one sheet: a figure a row, a year
    a column, then the change from the year before and its percentage."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("历年对比"))
    sheet.append(
        [
            _("数据"),
            _("单位"),
            *(_("%(year)s年") % {"year": y} for y in comparison.years),
            _("同比增减"),
            _("同比增减（%）"),
        ]
    )
    for line in comparison.lines:
        sheet.append(
            [
                line.spec.name,
                str(line.spec.unit),
                *line.values,
                line.change,
                line.change_percent,
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
