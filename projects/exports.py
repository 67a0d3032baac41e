"""Exports to .xlsx: a project's households and the project list.

Exporters yield rows into a write-only openpyxl workbook (as pretix does), so memory stays
flat however many rows there are. Every text cell goes through `safe_text`: a cell that
begins with = + - @ (or a tab or carriage return) would be run as a formula by a
spreadsheet (CSV/formula injection), so it is written with a leading single quote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from projects.models import Household, Project

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


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _name(user) -> str:
    return user.get_full_name() if user else ""


# ---------------------------------------------------------------------------
# Households of a project


def household_columns() -> list[ExportColumn]:
    def label(name: str) -> str:
        return str(Household._meta.get_field(name).verbose_name)

    return [
        ExportColumn(label("code"), 12, TEXT),
        ExportColumn(label("head_name"), 12),
        ExportColumn(label("id_number"), 22, TEXT),
        ExportColumn(label("phone"), 16, TEXT),
        ExportColumn(label("address"), 36),
        ExportColumn(label("use"), 10),
        ExportColumn(label("area"), 18, AREA),
        ExportColumn(label("hardship"), 16),
        ExportColumn(label("note"), 30),
        ExportColumn(label("ruling"), 16),
        ExportColumn(label("signed_on"), 14, DATE),
        ExportColumn(label("method"), 12),
        ExportColumn(label("moved_out_on"), 14, DATE),
        ExportColumn(label("demolished_on"), 14, DATE),
        ExportColumn(label("created_at"), 18, DATETIME),
    ]


def household_rows(households: QuerySet[Household]) -> Iterable[list[Any]]:
    for household in households.order_by("code", "pk").iterator(chunk_size=2000):
        yield [
            household.code,
            household.head_name,
            household.id_number,
            household.phone,
            household.address,
            household.get_use_display(),
            household.area,
            household.get_hardship_display() if household.hardship else "",
            household.note,
            household.get_ruling_display(),
            household.signed_on,
            household.get_method_display() if household.method else "",
            household.moved_out_on,
            household.demolished_on,
            household.created_at,
        ]


def export_households(*, project: Project) -> bytes:
    """Every household of the project, with the model's user-facing fields."""
    return write_workbook(
        title=_("被征收户"),
        columns=household_columns(),
        rows=household_rows(project.households.all()),
    )


def household_export_filename(project: Project) -> str:
    return _("%(code)s被征收户-%(day)s.xlsx") % {
        "code": project.code,
        "day": timezone.localdate().strftime("%Y%m%d"),
    }


# ---------------------------------------------------------------------------
# The project list


def project_columns() -> list[ExportColumn]:
    def label(name: str) -> str:
        return str(Project._meta.get_field(name).verbose_name)

    return [
        ExportColumn(label("code"), 16, TEXT),
        ExportColumn(label("name"), 28),
        ExportColumn(label("district"), 12),
        ExportColumn(label("kind"), 12),
        ExportColumn(label("is_key"), 12),
        ExportColumn(label("stage"), 12),
        ExportColumn(label("location"), 30),
        ExportColumn(label("started_on"), 14, DATE),
        ExportColumn(label("completed_on"), 14, DATE),
        ExportColumn(label("liaison"), 12),
        ExportColumn(label("leader"), 12),
        ExportColumn(_("被征收户数"), 12, INTEGER),
        ExportColumn(_("建筑面积（平方米）"), 18, AREA),
        ExportColumn(_("已签约户数"), 12, INTEGER),
        ExportColumn(_("已签约面积（平方米）"), 20, AREA),
    ]


def _with_totals(projects: QuerySet[Project]) -> QuerySet[Project]:
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
    signed = Q(households__signed_on__isnull=False)
    return projects.select_related("district", "liaison", "leader").annotate(
        household_count=Count("households"),
        household_area=Coalesce(Sum("households__area"), zero),
        signed_count=Count("households", filter=signed),
        signed_area=Coalesce(Sum("households__area", filter=signed), zero),
    )


def project_rows(projects: QuerySet[Project]) -> Iterable[list[Any]]:
    for project in _with_totals(projects).order_by("-started_on", "-pk"):
        yield [
            project.code,
            project.name,
            project.district.name,
            project.get_kind_display(),
            _yes_no(project.is_key),
            project.get_stage_display(),
            project.location,
            project.started_on,
            project.completed_on,
            _name(project.liaison),
            _name(project.leader),
            project.household_count,
            project.household_area,
            project.signed_count,
            project.signed_area,
        ]


def export_projects(*, projects: QuerySet[Project]) -> bytes:
    """The given projects (already scoped and filtered by the caller), one row each."""
    return write_workbook(
        title=_("征收项目"), columns=project_columns(), rows=project_rows(projects)
    )


def project_export_filename() -> str:
    return _("征收项目-%(day)s.xlsx") % {"day": timezone.localdate().strftime("%Y%m%d")}
