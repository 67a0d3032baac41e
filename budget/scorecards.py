"""A scorecard: the indicators of the department or of one project expenditure, each with its
actual (entered, or taken from a bound figure) and its score, and the total and grade.

Reads only; the arithmetic is budget.scoring's.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from budget import scoring
from budget.figures import BY_KEY, Figures, number_text
from budget.models import BudgetYear, Indicator, ProjectExpenditure


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    actual: Decimal | None
    score: Decimal

    @property
    def level(self) -> str:
        return self.indicator.get_level_display()

    @property
    def sublevel(self) -> str:
        return self.indicator.get_sublevel_display()

    @property
    def target_text(self) -> str:
        indicator = self.indicator
        if indicator.target_note:
            return indicator.target_note
        if indicator.method == Indicator.Method.EXECUTION:
            return "100%"
        if indicator.target is None:
            return ""
        sign = {"positive": "≥", "negative": "≤"}.get(indicator.method, "")
        if (
            indicator.method == Indicator.Method.POSITIVE
            and indicator.unit == "%"
            and indicator.target >= 100
        ) or (indicator.method == Indicator.Method.NEGATIVE and indicator.target == 0):
            sign = ""  # “≥100%” and “≤0起” read as plain 100% and 0起
        return f"{sign}{number_text(indicator.target)}{indicator.unit}"

    @property
    def actual_text(self) -> str:
        indicator = self.indicator
        if indicator.actual_note:
            return indicator.actual_note
        if self.actual is None:
            return ""
        unit = "%" if indicator.method == Indicator.Method.EXECUTION else indicator.unit
        return f"{number_text(self.actual)}{unit}"

    @property
    def weight(self) -> Decimal:
        return self.indicator.weight

    @property
    def deviation_text(self) -> str:
        """偏差原因分析及改进措施: the gap the data show (target, actual, points lost), then the
        office's analysis; an indicator scored in full shows the office's words or 无偏差."""
        indicator = self.indicator
        analysis = indicator.deviation.strip()
        if not indicator.is_applicable:
            return analysis or _("不适用。")
        lost = self.weight - self.score
        if lost <= 0:
            return analysis or _("无偏差。")
        gap = _("年度指标值%(target)s，实际完成%(actual)s，扣%(lost)s分。") % {
            "target": self.target_text or "—",
            "actual": self.actual_text or _("未填报"),
            "lost": number_text(lost),
        }
        return f"{gap}{analysis or _('偏差原因待分析。')}"

    @property
    def is_applicable(self) -> bool:
        return self.indicator.is_applicable


@dataclass(frozen=True)
class Scorecard:
    budget_year: BudgetYear
    expenditure: ProjectExpenditure | None
    rows: list[Row]
    execution_rate: Decimal | None  # a fraction
    total: Decimal
    grade: str
    level_totals: list[tuple[str, str, Decimal, Decimal]] = field(default_factory=list)

    @property
    def weight_total(self) -> Decimal:
        return sum((row.weight for row in self.rows if row.is_applicable), Decimal(0))

    @property
    def execution_row(self) -> Row | None:
        return next(
            (row for row in self.rows if row.indicator.method == Indicator.Method.EXECUTION), None
        )

    @property
    def indicator_rows(self) -> list[Row]:
        """The rows other than budget execution (attachment 3 shows that one with the funds)."""
        return [row for row in self.rows if row.indicator.method != Indicator.Method.EXECUTION]

    @property
    def title(self) -> str:
        return self.expenditure.name if self.expenditure else _("部门整体支出")


def thresholds(budget_year: BudgetYear) -> scoring.Thresholds:
    return scoring.Thresholds(
        excellent=budget_year.grade_excellent,
        good=budget_year.grade_good,
        passing=budget_year.grade_pass,
    )


def expenditure_rate(expenditure: ProjectExpenditure) -> Decimal | None:
    return scoring.execution_rate(
        available=expenditure.total_full, spent=expenditure.total_executed
    )


def build(
    budget_year: BudgetYear,
    indicators: list[Indicator],
    figures: Figures,
    *,
    expenditure: ProjectExpenditure | None = None,
) -> Scorecard:
    """Score `indicators` (those of one scorecard, in order) with the year's figures."""
    if expenditure is None:
        rate = figures.value("_execution_fraction")
    else:
        rate = expenditure_rate(expenditure)
    rows = []
    for indicator in indicators:
        if indicator.method == Indicator.Method.EXECUTION:
            actual = scoring.percent(rate)
        elif indicator.figure:
            actual = figures[indicator.figure].number if indicator.figure in BY_KEY else None
        else:
            actual = indicator.actual
        score = scoring.indicator_score(
            method=indicator.method,
            weight=indicator.weight,
            target=indicator.target,
            actual=actual,
            rate=rate,
            manual_score=indicator.manual_score,
        )
        rows.append(Row(indicator=indicator, actual=actual, score=score))
    total = scoring.total_score(
        scoring.Scored(weight=row.weight, score=row.score, is_applicable=row.is_applicable)
        for row in rows
    )
    level_totals = []
    for level in Indicator.Level:
        mine = [row for row in rows if row.indicator.level == level and row.is_applicable]
        if mine:
            level_totals.append(
                (
                    level.value,
                    str(level.label),
                    sum((row.weight for row in mine), Decimal(0)),
                    sum((row.score for row in mine), Decimal(0)),
                )
            )
    return Scorecard(
        budget_year=budget_year,
        expenditure=expenditure,
        rows=rows,
        execution_rate=rate,
        total=total,
        grade=scoring.grade(total, thresholds(budget_year)) if rows else "",
        level_totals=level_totals,
    )


def for_year(budget_year: BudgetYear, figures: Figures, expenditures=None):
    """The department's scorecard and one per project expenditure (one query for the
    indicators, one for the expenditures unless given)."""
    if expenditures is None:
        expenditures = list(budget_year.expenditures.all())
    indicators = list(budget_year.indicators.all())
    department = build(budget_year, [i for i in indicators if i.expenditure_id is None], figures)
    projects = [
        build(
            budget_year,
            [i for i in indicators if i.expenditure_id == expenditure.pk],
            figures,
            expenditure=expenditure,
        )
        for expenditure in expenditures
    ]
    return department, projects


def with_score(figures: Figures, card: Scorecard) -> Figures:
    return figures.with_values(total_score=card.total if card.rows else None, grade=card.grade)
