"""The project's swap settlements, one row per household, on a page and as .xlsx (a staff
export: full names). The figures are the households' current breakdowns (resettlement.summary)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from compensation.models import Agreement
from compensation.supplements import swap_due_or_error
from core.spreadsheets import AREA, DATE, INTEGER, TEXT, ExportColumn, write_workbook
from projects.models import Household, Project
from resettlement.summary import settlements_for

MONEY = "#,##0.00"
# A signed amount (positive: owed to the household; negative: the household pays) that stays
# summable in the cell but reads in words, never as a bare minus.
SIGNED_MONEY = '#,##0.00;"被征收人应补交 "#,##0.00;0.00'
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


def signed_swap_agreements(households) -> dict[int, Agreement]:
    """The households' signed swap agreements (party 被征收人) by household id, in one query;
    each agreement's `household` is the given object (no query to read it again)."""
    by_id = {household.pk: household for household in households}
    agreements = (
        Agreement.objects.signed_swap()
        .filter(household_id__in=by_id)
        .order_by("household_id", "pk")
    )
    found = {}
    for agreement in agreements:
        agreement.household = by_id[agreement.household_id]
        found.setdefault(agreement.household_id, agreement)
    return found


def _agreement_figures(agreement: Agreement | None) -> dict:
    """A household's signed swap agreement as the reconciliation reads it, 元 signed
    (negative: the household pays): `agreed` its amount, `supplemented` its supplements' sum,
    `outstanding` what a supplement must still settle after the selection day
    (compensation.supplements: the calculation run for this agreement; 0 when nothing, None
    when it cannot be computed). All None without an agreement."""
    if agreement is None:
        return {"agreed": None, "supplemented": None, "outstanding": None}
    due, errors = swap_due_or_error(agreement)
    return {
        "agreed": agreement.amount,
        "supplemented": agreement.agreed_total - agreement.amount,
        "outstanding": None if errors else (due.difference if due else Decimal("0.00")),
    }


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
    ExportColumn(_("应付被征收人房屋差价（元）"), 20, MONEY),
    ExportColumn(_("被征收人应补交房屋差价（元）"), 20, MONEY),
    ExportColumn(_("已签协议金额（元）"), 22, SIGNED_MONEY),
    ExportColumn(_("补充协议金额（元）"), 22, SIGNED_MONEY),
    ExportColumn(_("尚需补充协议结算（元）"), 22, SIGNED_MONEY),
    ExportColumn(_("临时安置费月数"), 14, INTEGER),
    ExportColumn(_("周转房"), 24, TEXT),
    ExportColumn(_("交房日期"), 12, DATE),
]


def settlements_xlsx(project: Project, today: date | None = None) -> bytes:
    """The .xlsx of `swap_households(project)`, one row each (COLUMNS)."""

    def rows():
        households = swap_households(project)
        for start in range(0, households.count(), CHUNK):
            chunk = list(households[start : start + CHUNK])
            agreements = signed_swap_agreements(chunk)
            for row in rows_for(chunk, today):
                household = row["household"]
                # The calculation runs once per signed agreement (about ten queries): the
                # export only, not the page.
                row |= _agreement_figures(agreements.get(household.pk))
                yield [
                    household.code,
                    household.head_name,
                    row["flats"],
                    row["area"],
                    row["to_household"],
                    row["by_household"],
                    row["agreed"],
                    row["supplemented"],
                    row["outstanding"],
                    row["months"],
                    row["transit"],
                    row["handed_over_on"],
                ]

    return write_workbook(title=_("产权调换结算"), columns=[*COLUMNS], rows=rows())
