"""The figures of the three attachments, by the keys their layouts (budget.report.layouts) use.

Money is given in 万元 (Decimal, two places), rates as fractions, scores as Decimals; the
layouts decide where each goes and how it is printed.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from budget import scoring
from budget.models import ExpenseControl, FundingSource
from budget.scorecards import Row as ScoreRow
from budget.scorecards import Scorecard, expenditure_rate
from budget.yearbook import YearBook
from core.formatting import wan


def _common(book: YearBook) -> dict:
    return {
        "office": book.office_name,
        "year": book.year,
        "previous_year": book.year - 1,
    }


def attachment1(book: YearBook) -> dict:
    budget_year = book.budget_year
    data = _common(book)
    data.update(
        {
            "authorized_posts": budget_year.authorized_posts,
            "staff_in_post": budget_year.staff_in_post,
            "control_rate": (
                Decimal(budget_year.staff_in_post) / Decimal(budget_year.authorized_posts)
                if budget_year.authorized_posts
                else None
            ),
            "three_public_note": budget_year.three_public_note,
            "adjustment_note": budget_year.adjustment_note,
        }
    )
    controls = {control.item: control for control in book.controls}
    for item in ExpenseControl.Item:
        control = controls.get(item)
        for column in ("previous_actual", "budget", "actual"):
            data[f"{item.value}.{column}"] = wan(getattr(control, column)) if control else None
    return data


def _indicator_record(row: ScoreRow) -> dict:
    indicator = row.indicator
    return {
        "level": row.level,
        "sublevel": row.sublevel,
        "name": indicator.name,
        "target": row.target_text,
        "actual": row.actual_text,
        "weight": indicator.weight,
        "score": row.score if row.is_applicable else _("不适用"),
        "deviation": indicator.deviation,
    }


def _card_totals(card: Scorecard) -> dict:
    return {
        "weight_total": card.weight_total,
        "total": card.total if card.rows else None,
        "grade": card.grade,
    }


def attachment2(book: YearBook) -> dict:
    data = _common(book)
    data["indicators"] = [_indicator_record(row) for row in book.department.rows]
    data.update(_card_totals(book.department))
    return data


def attachment3(book: YearBook) -> list[dict]:
    """One sheet's data per project expenditure."""
    sheets = []
    for card in book.project_cards:
        expenditure = card.expenditure
        execution = card.execution_row
        data = _common(book)
        data.update(
            {
                "name": expenditure.name,
                "department": expenditure.department,
                "implementer": expenditure.implementer,
                "goal": expenditure.goal,
                "outcome": expenditure.outcome,
                "total.initial": wan(expenditure.total_initial),
                "total.full": wan(expenditure.total_full),
                "total.executed": wan(expenditure.total_executed),
                "total.weight": execution.weight if execution else None,
                "total.rate": expenditure_rate(expenditure),
                "total.score": execution.score if execution else None,
                "indicators": [_indicator_record(row) for row in card.indicator_rows],
            }
        )
        for source in FundingSource:
            initial, full, executed = expenditure.amounts(source.value)
            data[f"{source.value}.initial"] = wan(initial)
            data[f"{source.value}.full"] = wan(full)
            data[f"{source.value}.executed"] = wan(executed)
            data[f"{source.value}.rate"] = scoring.execution_rate(available=full, spent=executed)
        data.update(_card_totals(card))
        sheets.append(data)
    return sheets
