"""A duty roster as an .xlsx workbook, laid out to print on A4."""

from io import BytesIO
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from core.formatting import cn_date
from core.spreadsheets import protect_sheet
from petitions.models import DutyRoster

WEEKDAYS = "一二三四五六日"
COLUMNS = [  # header, width
    (gettext_lazy("日期"), 16),
    (gettext_lazy("星期"), 8),
    (gettext_lazy("开始时间"), 18),
    (gettext_lazy("结束时间"), 18),
    (gettext_lazy("职责"), 12),
    (gettext_lazy("值班人"), 12),
    (gettext_lazy("联系电话"), 16),
]


def filename(roster: DutyRoster) -> str:
    return quote(f"{roster.title}.xlsx")


def roster_xlsx(roster: DutyRoster) -> bytes:
    shifts = roster.shifts.select_related("person").order_by("starts_at", "role", "pk")
    book = Workbook()
    sheet = book.active
    sheet.title = _("值班表")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    sheet.append([roster.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = centre
    period = _("值班时间：%(start)s至%(end)s") % {
        "start": cn_date(roster.starts_on),
        "end": cn_date(roster.ends_on),
    }
    if roster.is_round_the_clock:
        period += _("（24小时值班）")
    if roster.phone:
        period += _("　值班电话：%(phone)s") % {"phone": roster.phone}
    sheet.append([period])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))

    sheet.append([str(header) for header, _width in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = centre
        cell.border = border
    for shift in shifts:
        starts = timezone.localtime(shift.starts_at).replace(tzinfo=None)
        ends = timezone.localtime(shift.ends_at).replace(tzinfo=None)
        sheet.append(
            [
                starts.date(),
                _("星期%(day)s") % {"day": WEEKDAYS[starts.weekday()]},
                starts,
                ends,
                str(shift.get_role_display()),
                shift.person.get_full_name(),
                shift.person.phone,
            ]
        )
        row = sheet.max_row
        sheet.cell(row, 1).number_format = "yyyy-mm-dd"
        sheet.cell(row, 3).number_format = "yyyy-mm-dd hh:mm"
        sheet.cell(row, 4).number_format = "yyyy-mm-dd hh:mm"
        for cell in sheet[row]:
            cell.border = border
            cell.alignment = centre
    if roster.note:
        sheet.append([])
        sheet.append([_("值班要求：%(note)s") % {"note": roster.note}])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 60

    protect_sheet(sheet)
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(3, index).column_letter].width = width
    sheet.print_title_rows = "3:3"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.7, bottom=0.7)

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
