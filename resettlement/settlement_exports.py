"""The project's swap settlements, one row per household, on a page and as .xlsx (a staff
export: full names). The figures are the households' current breakdowns (resettlement.summary)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.spreadsheets import AREA, DATE, INTEGER, TEXT, ExportColumn, write_workbook
from projects.models import Household, Project
from resettlement.summary import settlements_for

MONEY = "#,##0.00"
CHUNK = 200  # households read together for the export


def swap_households(project: Project) -> QuerySet[Household]:
    """The project's households that chose property swap or hold a chosen flat, by code."""
    return (
        Household.objects.filter(project=project)
        .filter(Q(method=Household.Method.SWAP) | Q(selections__is_active=True))
        .select_related("project")
        .distinct()
        .order_by("code")
    )


def rows_for(households, today: date | None = None) -> list[dict]:
    """One row per household, read in the same few queries for any number (`settlements_for`):
    flats (labels), area (m²), difference split into what the office pays and what the
    household pays (元, both ≥ 0, None when there is no breakdown), months of 临时安置费,
    transit flat, hand-over date (once every flat is handed over)."""
    return [_row(s) for s in settlements_for(households, today)]


def _row(s) -> dict:
    difference = s.difference
    return {
        "household": s.household,
        "settlement": s,
        "flats": "；".join(str(chosen.flat) for chosen in s.flats),
        "area": s.area if s.flats else None,
        "to_household": difference if difference is not None and difference >= 0 else None,
        "by_household": -difference if difference is not None and difference < 0 else None,
        "months": s.transition.months if s.transition else None,
        "transit": str(s.open_loan.flat) if s.open_loan else "",
        "handed_over_on": s.handed_over_on,
    }


COLUMNS = [
    ExportColumn(_("户号"), 12, TEXT),
    ExportColumn(_("被征收人"), 12, TEXT),
    ExportColumn(_("所选房屋"), 40, TEXT),
    ExportColumn(_("面积（平方米）"), 14, AREA),
    ExportColumn(_("应付被征收人差价（元）"), 20, MONEY),
    ExportColumn(_("被征收人应补交差价（元）"), 20, MONEY),
    ExportColumn(_("临时安置费月数"), 14, INTEGER),
    ExportColumn(_("周转房"), 24, TEXT),
    ExportColumn(_("交房日期"), 12, DATE),
]


def settlements_xlsx(project: Project, today: date | None = None) -> bytes:
    """The .xlsx of `swap_households(project)`, one row each (COLUMNS)."""

    def rows():
        households = swap_households(project)
        for start in range(0, households.count(), CHUNK):
            for row in rows_for(households[start : start + CHUNK], today):
                household = row["household"]
                yield [
                    household.code,
                    household.head_name,
                    row["flats"],
                    row["area"],
                    row["to_household"],
                    row["by_household"],
                    row["months"],
                    row["transit"],
                    row["handed_over_on"],
                ]

    return write_workbook(title=_("产权调换结算"), columns=[*COLUMNS], rows=rows())
