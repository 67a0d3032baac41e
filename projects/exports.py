"""Exports to .xlsx: a project's households and the project list (written by
core.spreadsheets, formula-safe)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import AREA, DATE, DATETIME, INTEGER, TEXT, ExportColumn, write_workbook
from projects.models import Household, Project


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


def export_households(*, households: QuerySet[Household]) -> bytes:
    """The given households (already scoped and filtered by the caller), with the model's
    user-facing fields."""
    return write_workbook(
        title=_("被征收户"), columns=household_columns(), rows=household_rows(households)
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
    # As the project list: not started yet (no date) first on every database.
    started = F("started_on").desc(nulls_first=True)
    for project in _with_totals(projects).order_by(started, "-pk"):
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
