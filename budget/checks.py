"""The consistency check: every place where a stated total and the sum of its lines disagree.

- each fund's final-account totals (决算本年收入/支出) against the sum of its budget lines;
- the project expenditures against the general budget's project line (上年结转 against the
  opening balance, 当年财政拨款 against the income, 全年执行数 against the expenditure);
- attachment 1: “三公”经费 against its three parts, the official cars against purchase and
  running, 公用经费 against its listed parts (those are “其中” items: their sum may not exceed
  it), 项目支出 against the project lines' expenditure;
- each scorecard's level-one weights against the year's layout, and its weights against 100.

The check reads only; the report job stores its findings on the run, and the year page shows
them live.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from budget.figures import number_text, wan_text
from budget.models import (
    BudgetLine,
    BudgetYear,
    ExpenseControl,
    Fund,
    Indicator,
    ProjectExpenditure,
    SpendingKind,
    StatedTotal,
)
from budget.scorecards import Scorecard

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Finding:
    key: str  # stable identity of the place checked, e.g. "stated:general:income"
    where: str  # which table and line
    stated: str  # the stated figure as written, in `unit`
    computed: str  # the sum of the lines, in `unit`
    message: str
    unit: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _money(
    key: str, where: str, what: str, stated: Decimal, computed: Decimal, parts: str
) -> Finding:
    """A money disagreement, in 万元 as the report writes it, or in 元 when a difference
    smaller than a hundred yuan would vanish in 万元 with two places."""
    in_wan = all(Decimal(value) % 100 == 0 for value in (stated, computed))
    if in_wan:
        unit, show = _("万元"), wan_text
    else:
        unit, show = _("元"), lambda value: f"{Decimal(value):,.2f}"
    return Finding(
        key=key,
        where=where,
        stated=show(stated),
        computed=show(computed),
        unit=unit,
        message=_(
            "%(what)s为%(stated)s%(unit)s，但%(parts)s合计%(computed)s%(unit)s，"
            "相差%(diff)s%(unit)s。"
        )
        % {
            "what": what,
            "stated": show(stated),
            "parts": parts,
            "computed": show(computed),
            "diff": show(abs(stated - computed)),
            "unit": unit,
        },
    )


def _sum(rows, field: str) -> Decimal:
    return sum((getattr(row, field) for row in rows), ZERO)


def stated_totals(lines: list[BudgetLine], stated: list[StatedTotal]) -> list[Finding]:
    findings = []
    for total in stated:
        fund_lines = [line for line in lines if line.fund == total.fund]
        fund = total.get_fund_display()
        where = _("决算总数：%(fund)s") % {"fund": fund}
        kinds = "、".join(line.get_kind_display() for line in fund_lines) or _("预算执行各行")
        for field, label in (("income", _("本年收入")), ("expenditure", _("本年支出"))):
            computed = _sum(fund_lines, field)
            stated_value = getattr(total, field)
            if stated_value != computed:
                findings.append(
                    _money(
                        f"stated:{total.fund}:{field}",
                        where,
                        _("决算%(fund)s%(label)s") % {"fund": fund, "label": label},
                        stated_value,
                        computed,
                        _("%(kinds)s的%(label)s") % {"kinds": kinds, "label": label},
                    )
                )
    return findings


def expenditures_against_lines(
    lines: list[BudgetLine], expenditures: list[ProjectExpenditure]
) -> list[Finding]:
    if not expenditures:
        return []
    project = next(
        (line for line in lines if line.fund == Fund.GENERAL and line.kind == SpendingKind.PROJECT),
        None,
    )
    opening = project.opening if project else ZERO
    income = project.income if project else ZERO
    spent = project.expenditure if project else ZERO
    where = _("项目支出与一般公共预算项目支出")
    pairs = [
        (
            "opening",
            _("一般公共预算项目支出年初结转和结余"),
            opening,
            _sum(expenditures, "carryover_full"),
            _("各项目支出的上年结转资金"),
        ),
        (
            "income",
            _("一般公共预算项目支出本年收入"),
            income,
            _sum(expenditures, "fiscal_full"),
            _("各项目支出的当年财政拨款"),
        ),
        (
            "expenditure",
            _("一般公共预算项目支出本年支出"),
            spent,
            sum((e.total_executed for e in expenditures), ZERO),
            _("各项目支出的全年执行数"),
        ),
    ]
    return [
        _money(f"expenditures:{name}", where, what, stated, computed, parts)
        for name, what, stated, computed, parts in pairs
        if stated != computed
    ]


# (total, parts, the parts are exhaustive): exhaustive parts must add up to the total,
# "其中" parts must not exceed it.
CONTROL_SUMS = [
    (
        ExpenseControl.Item.THREE_PUBLIC,
        [
            ExpenseControl.Item.VEHICLE,
            ExpenseControl.Item.OUTBOUND,
            ExpenseControl.Item.RECEPTION,
        ],
        True,
    ),
    (
        ExpenseControl.Item.VEHICLE,
        [ExpenseControl.Item.VEHICLE_PURCHASE, ExpenseControl.Item.VEHICLE_RUNNING],
        True,
    ),
    (
        ExpenseControl.Item.PUBLIC_FUNDS,
        [
            ExpenseControl.Item.OFFICE,
            ExpenseControl.Item.UTILITIES_TRAVEL,
            ExpenseControl.Item.MEETING_TRAINING,
        ],
        False,
    ),
]
CONTROL_COLUMNS = [
    ("previous_actual", _("上年决算数")),
    ("budget", _("本年预算数")),
    ("actual", _("本年决算数")),
]


def expense_controls(controls: list[ExpenseControl], lines: list[BudgetLine]) -> list[Finding]:
    by_item = {control.item: control for control in controls}
    if not by_item:
        return []
    findings = []
    where = _("附件1 经费控制情况")

    def amount(item, column):
        control = by_item.get(item)
        return getattr(control, column) if control else ZERO

    for total_item, parts, exhaustive in CONTROL_SUMS:
        total_label = ExpenseControl.Item(total_item).label
        parts_label = "、".join(str(ExpenseControl.Item(part).label) for part in parts)
        for column, column_label in CONTROL_COLUMNS:
            stated = amount(total_item, column)
            computed = sum((amount(part, column) for part in parts), ZERO)
            if (exhaustive and stated != computed) or (not exhaustive and computed > stated):
                findings.append(
                    _money(
                        f"controls:{total_item}:{column}",
                        where,
                        f"{total_label}{column_label}",
                        stated,
                        computed,
                        parts_label,
                    )
                )
    if ExpenseControl.Item.PROJECT in by_item:
        spent = _sum([line for line in lines if line.kind == SpendingKind.PROJECT], "expenditure")
        stated = by_item[ExpenseControl.Item.PROJECT].actual
        if stated != spent:
            findings.append(
                _money(
                    "controls:project",
                    where,
                    _("项目支出本年决算数"),
                    stated,
                    spent,
                    _("预算执行中项目支出的本年支出"),
                )
            )
    return findings


def scorecard_weights(budget_year: BudgetYear, cards: list[Scorecard]) -> list[Finding]:
    findings = []
    layout = budget_year.level_weights
    for card in cards:
        if not card.rows:
            continue
        where = _("绩效指标：%(card)s") % {"card": card.title}
        card_key = f"weights:{card.expenditure.pk if card.expenditure else 'department'}"
        weights: dict[str, Decimal] = {}
        for row in card.rows:
            level = row.indicator.level
            weights[level] = weights.get(level, Decimal(0)) + row.weight
        for level, expected in layout.items():
            actual = weights.get(level, Decimal(0))
            # A level without indicators shows in the total below.
            if actual and actual != expected:
                findings.append(
                    Finding(
                        key=f"{card_key}:{level}",
                        where=where,
                        stated=number_text(expected),
                        computed=number_text(actual),
                        message=_(
                            "%(level)s的分值应为%(expected)s分，但其下各指标分值合计%(actual)s分。"
                        )
                        % {
                            "level": Indicator.Level(level).label,
                            "expected": number_text(expected),
                            "actual": number_text(actual),
                        },
                    )
                )
        all_weights = sum((row.weight for row in card.rows), Decimal(0))
        if all_weights != 100:
            findings.append(
                Finding(
                    key=f"{card_key}:total",
                    where=where,
                    stated="100",
                    computed=number_text(all_weights),
                    message=_("各指标分值合计应为100分，实际为%(total)s分。")
                    % {"total": number_text(all_weights)},
                )
            )
    return findings


def check(
    budget_year: BudgetYear,
    *,
    lines: list[BudgetLine],
    stated: list[StatedTotal],
    expenditures: list[ProjectExpenditure],
    controls: list[ExpenseControl],
    cards: list[Scorecard],
) -> list[Finding]:
    return [
        *stated_totals(lines, stated),
        *expenditures_against_lines(lines, expenditures),
        *expense_controls(controls, lines),
        *scorecard_weights(budget_year, cards),
    ]
