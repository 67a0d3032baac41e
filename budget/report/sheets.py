"""The figures of the three attachments, by the keys their layouts (budget.report.layouts) use.

Money is given in 万元 (Decimal, two places), rates as fractions, scores as Decimals; the
layouts decide where each goes and how it is printed.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from budget import scoring
from budget.models import ExpenseControl, FundingBySource, FundingSource
from budget.scorecards import Row as ScoreRow
from budget.scorecards import Scorecard
from budget.yearbook import YearBook
from core.formatting import wan


def _common(book: YearBook) -> dict:
    return {
        "office": book.office_name,
        "year": book.year,
        "previous_year": book.year - 1,
        "_sample_keys": book.budget_year.sample_keys or [],
    }


# Labels of the attachment keys that are not an expense-control line.
KEY_LABELS = {
    "three_public_note": _lazy("关于“三公”经费控制的说明"),
    "adjustment_note": _lazy("关于预算调整的说明"),
    "frugality_measures": _lazy("厉行节约保障措施"),
    "building": _lazy("楼堂馆所控制情况"),
    "total": _lazy("年度资金总额"),
    "fiscal": _lazy("当年财政拨款"),
    "carryover": _lazy("上年结转资金"),
    "other": _lazy("其他资金"),
    "initial": _lazy("年初预算数"),
    "full": _lazy("全年预算数"),
    "executed": _lazy("全年执行数"),
    "previous_actual": _lazy("上年决算数"),
    "budget": _lazy("本年预算数"),
    "actual": _lazy("本年决算数"),
}


def sample_labels(keys: list[str]) -> list[str]:
    """What each sample key names, for people: "project.budget" → 项目支出：本年预算数."""
    labels = []
    for key in keys:
        parts = []
        for part in key.split("."):
            if part in ExpenseControl.Item.values:
                parts.append(str(ExpenseControl.Item(part).label))
            else:
                parts.append(str(KEY_LABELS.get(part, part)))
        labels.append("：".join(parts))
    return labels


def _rate(part, whole) -> Decimal | None:
    """part ÷ whole as a fraction (97.74% is 0.9774), or None without a whole."""
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


def _funds(spending: FundingBySource, card: Scorecard, label: str) -> dict:
    """The funds block (by source) and the annual goal of the department or a project."""
    execution = card.execution_row
    data = {
        "funds_label": label,
        "goal": spending.goal,
        "outcome": spending.outcome,
        "total.initial": wan(spending.total_initial),
        "total.full": wan(spending.total_full),
        "total.executed": wan(spending.total_executed),
        "total.weight": execution.weight if execution else None,
        "total.rate": scoring.execution_rate(
            available=spending.total_full, spent=spending.total_executed
        ),
        "total.score": execution.score if execution else None,
    }
    for source in FundingSource:
        initial, full, executed = spending.amounts(source.value)
        data[f"{source.value}.initial"] = wan(initial)
        data[f"{source.value}.full"] = wan(full)
        data[f"{source.value}.executed"] = wan(executed)
        data[f"{source.value}.rate"] = scoring.execution_rate(available=full, spent=executed)
    return data


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
    data.update(
        {
            "building.approved_area": budget_year.building_approved_area,
            "building.actual_area": budget_year.building_actual_area,
            "building.area_rate": _rate(
                budget_year.building_actual_area, budget_year.building_approved_area
            ),
            "building.budget_investment": _wan_or_none(budget_year.building_budget_investment),
            "building.actual_investment": _wan_or_none(budget_year.building_actual_investment),
            "building.investment_rate": _rate(
                budget_year.building_actual_investment, budget_year.building_budget_investment
            ),
            "frugality_measures": budget_year.frugality_measures,
        }
    )
    controls = {control.item: control for control in book.controls}
    for item in ExpenseControl.Item:
        control = controls.get(item)
        for column in ("previous_actual", "budget", "actual"):
            data[f"{item.value}.{column}"] = wan(getattr(control, column)) if control else None
    return data


def _wan_or_none(yuan) -> Decimal | None:
    return wan(yuan) if yuan is not None else None


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
        "deviation": row.deviation_text,
    }


def _card_totals(card: Scorecard) -> dict:
    return {
        "weight_total": card.weight_total,
        "total": card.total if card.rows else None,
        "grade": card.grade,
    }


def attachment2(book: YearBook) -> dict:
    data = _common(book)
    data.update(_funds(book.budget_year, book.department, _("部门预算资金")))
    data["indicators"] = [_indicator_record(row) for row in book.department.indicator_rows]
    data.update(_card_totals(book.department))
    return data


def attachment3(book: YearBook) -> list[dict]:
    """One sheet's data per project expenditure."""
    sheets = []
    for card in book.project_cards:
        expenditure = card.expenditure
        data = _common(book)
        data.update(_funds(expenditure, card, _("项目资金")))
        data.update(
            {
                "name": expenditure.name,
                "department": expenditure.department,
                "implementer": expenditure.implementer,
                "indicators": [_indicator_record(row) for row in card.indicator_rows],
            }
        )
        data.update(_card_totals(card))
        sheets.append(data)
    return sheets
