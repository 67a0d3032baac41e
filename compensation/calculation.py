"""The one place a household's compensation is computed (补偿测算).

Every page, document, report, export and the demo read a household's compensation from here
(or from the `CompensationBreakdown` stored by `services.compute_breakdown`, which calls it);
no view, template or script has a second copy of these rules.

Inputs: the project's approved plan (`CompensationPlan`), the household's valuation in force
(`appraisers.Valuation`: appraised value and unit price), the items counted on site (count ×
catalogue unit price) and the terms of the agreement (method, swap area, transition).

The lines, in order (a line whose amount would be zero is left out, except the swap
difference, which a swap always shows):

1. 被征收房屋价值 — valuation unit price × building area. Monetary compensation only: in a
   property swap the house is exchanged, and line 7 carries the difference instead.
2. 装饰装修及附属物 — the valuation's appraised value covers the house with its decoration and
   attachments, so this is appraised value − unit price × area (never below zero: a unit price
   rounded up by the valuer can make the product exceed the appraised value by a few fen).
3. 停产停业损失 — non-residential houses only: the plan's rate (%) × appraised value.
4. 搬迁费 — the plan's allowance per move: once for monetary compensation, twice for a property
   swap with a transition (move out, then into the new house), once for a swap into a finished
   house.
5. 临时安置费 — residential houses only (a business is compensated by line 3): rate per m² per
   month × area × months, with the plan's months for a swap with a transition
   (`temporary_months`) or for monetary compensation (`monetary_temporary_months`); none for a
   swap into a finished house.
6. 提前签约奖励 — the plan's bonus when the agreement is signed on or before the plan's deadline.
7. 产权调换差价 — swap only. With chosen flats (`Inputs.swap_flats`, from the selection day) the
   settlement is itemised by `swap_settlement_lines`: the old house's value as a credit, then
   each flat's area priced part by part under the plan's swap rules (`SwapRules`): the
   entitlement (以旧换新面积 = old area × ratio + bonus area) at the flat's 安置价, the area beyond
   it tier by tier (each tier at its unit price or at a percentage of the flat's market price),
   and beyond the last tier at the market price (条例 第二十一条: the office and the household
   settle the difference between the two values). Without chosen flats, one line: house value −
   swap area × the plan's swap unit price. Either way the swap lines sum to the difference,
   negative when the new flats are worth more: the household pays it. A plan that sets no swap
   price settles the area difference at the valuation's unit price (the common rule
   "面积差价按评估价格结算"), so a swap of equal area costs nothing either way.
8. 实物清点项目 — each counted catalogue item: count × catalogue unit price.
9. 困难补助 — the plan's amount for the household's hardship type. It is shown here but paid
   separately (a `HardshipSubsidy`, after its 困难补助公示 has run), so it is not part of the
   agreement's amount: `compensation_total` excludes it, `total` includes it.

Rounding: every amount is a Decimal; the plan's rule (to the fen, or to the yuan) is applied
once per line, half up, to the line's exact value; totals are sums of the rounded lines and are
never rounded again.

Public housing (公房): the property value (lines 1 + 2) is shared between the owning unit and
the tenant by the plan's `public_tenant_percent`. The tenant's part of it is rounded once by
the plan's rule; the owning unit gets the rest of the property value; the tenant gets everything
else (the allowances belong to the occupant), so owner share + tenant share = compensation total
exactly. Each party signs its own agreement for its share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compensation.models import Category
from projects.models import CompensationPlan, Household

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class CalculationError(ValidationError):
    """The breakdown cannot be computed (no approved plan, no valuation, no swap area…)."""


@dataclass(frozen=True)
class CountedItem:
    name: str
    unit: str
    unit_price: Decimal
    quantity: Decimal


@dataclass(frozen=True)
class SwapFlat:
    """One chosen flat, priced as on its selection day: area in m², prices in 元/m²."""

    label: str
    area: Decimal
    resettlement_price: Decimal  # 安置价, the preferential price within the entitlement
    market_price: Decimal  # 市场价


@dataclass(frozen=True)
class SwapTierRule:
    """The next `width` m² of extra area, at `unit_price` 元/m² or at `market_percent` % of
    each flat's market price (exactly one of the two is set)."""

    width: Decimal
    unit_price: Decimal | None = None
    market_percent: Decimal | None = None


@dataclass(frozen=True)
class SwapRules:
    """The plan's swap rules (resettlement.SwapTerms): entitlement = old area × ratio + bonus;
    `max_extra_area` m² at most beyond it (None: no cap)."""

    entitlement_ratio: Decimal = Decimal("1")
    entitlement_bonus_area: Decimal = Decimal("0")
    tiers: tuple[SwapTierRule, ...] = ()
    max_extra_area: Decimal | None = None

    def entitlement(self, area: Decimal) -> Decimal:
        """以旧换新面积 in m² for an old house of `area` m² (`entitlement_area`)."""
        return entitlement_area(area, self.entitlement_ratio, self.entitlement_bonus_area)


def entitlement_area(area: Decimal, ratio: Decimal, bonus: Decimal) -> Decimal:
    """以旧换新面积 in m²: the old house's building area × the plan's ratio + its bonus area, to
    the hundredth of a m² (half up), as areas are recorded. The one formula the selection day's
    area cap and the settlement's price split both read."""
    return (Decimal(area) * ratio + bonus).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Inputs:
    """Everything the calculation reads, gathered by `inputs_for` (or built in a test)."""

    area: Decimal
    use: str  # Household.Use
    hardship: str  # Household.Hardship
    is_public_housing: bool
    method: str  # Household.Method.MONETARY or SWAP
    appraised_value: Decimal
    unit_price: Decimal
    signed_on: date | None = None
    swap_area: Decimal | None = None
    swap_transition: bool = True
    items: tuple[CountedItem, ...] = ()
    # The flats chosen on the selection day, in selection order, and the plan's swap rules;
    # when given they replace `swap_area` × the plan's swap unit price.
    swap_flats: tuple[SwapFlat, ...] = ()
    swap_rules: SwapRules | None = None
    # Months of 临时安置费 for a swap with a transition when the plan's fixed months do not
    # apply (期房: months until the flat's delivery); None: the plan's `temporary_months`.
    swap_transition_months: int | None = None
    swap_transition_basis: str = ""


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    basis: str
    amount: Decimal
    category: str
    is_subsidy: bool = False


@dataclass(frozen=True)
class Result:
    lines: tuple[Line, ...]
    compensation_total: Decimal  # everything the agreements cover (the subsidy excluded)
    subsidy_total: Decimal
    owner_share: Decimal  # public housing: the owning unit's share; else 0
    tenant_share: Decimal  # the household's (tenant's) share of compensation_total
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return self.compensation_total + self.subsidy_total

    @property
    def swap_difference(self) -> Decimal | None:
        """产权调换差价 in 元: the swap lines' sum, positive when the office pays the household,
        negative when the household pays; None for monetary compensation."""
        swap_lines = [line.amount for line in self.lines if line.code in SWAP_CODES]
        return sum(swap_lines, ZERO) if swap_lines else None


SWAP_CODES = frozenset({"swap_difference", "swap_house_value", "swap_flat"})


def round_amount(value: Decimal, rounding: str) -> Decimal:
    """The plan's rule, once: to the fen, or to the whole yuan; half up. Stored with 2 places."""
    step = Decimal("1") if rounding == CompensationPlan.Rounding.YUAN else Decimal("0.01")
    return value.quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _number(value: Decimal) -> str:
    """2 places for areas and counts, without trailing zeros for whole counts."""
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def compute(plan: CompensationPlan, inputs: Inputs) -> Result:
    """The breakdown for one household. Pure: reads only its arguments."""
    r = plan.rounding
    residential = inputs.use == Household.Use.RESIDENTIAL
    swap = inputs.method == Household.Method.SWAP
    lines: list[Line] = []
    notes: list[str] = []

    exact_house = inputs.unit_price * inputs.area
    house_value = round_amount(exact_house, r)
    decoration = round_amount(max(inputs.appraised_value - exact_house, Decimal(0)), r)

    if not swap:
        lines.append(
            Line(
                "house_value",
                _("被征收房屋价值"),
                _("评估单价 %(price)s 元/平方米 × 建筑面积 %(area)s 平方米")
                % {"price": _money(inputs.unit_price), "area": _number(inputs.area)},
                house_value,
                Category.HOUSE,
            )
        )
    if decoration:
        lines.append(
            Line(
                "decoration",
                _("装饰装修及附属物"),
                _("评估价值 %(value)s 元 − 房屋价值 %(house)s 元")
                % {"value": _money(inputs.appraised_value), "house": _money(exact_house)},
                decoration,
                Category.HOUSE,
            )
        )

    if not residential and plan.business_loss_rate:
        lines.append(
            Line(
                "business_loss",
                _("停产停业损失补偿"),
                _("评估价值 %(value)s 元 × %(rate)s%%")
                % {"value": _money(inputs.appraised_value), "rate": plan.business_loss_rate},
                round_amount(inputs.appraised_value * plan.business_loss_rate / HUNDRED, r),
                Category.HOUSE,
            )
        )

    transition = swap and inputs.swap_transition
    moves = 2 if transition else 1
    if plan.relocation_allowance:
        lines.append(
            Line(
                "relocation",
                _("搬迁费"),
                _("%(allowance)s 元/次 × %(moves)s 次")
                % {"allowance": _money(plan.relocation_allowance), "moves": moves},
                round_amount(plan.relocation_allowance * moves, r),
                Category.RELOCATION,
            )
        )

    if residential:
        if swap:
            months = plan.temporary_months if transition else 0
            if transition and inputs.swap_transition_months is not None:
                months = inputs.swap_transition_months
        else:
            months = plan.monetary_temporary_months
        if months and plan.temporary_rate:
            lines.append(
                Line(
                    "temporary",
                    _("临时安置费"),
                    _("%(rate)s 元/平方米/月 × %(area)s 平方米 × %(months)s 个月")
                    % {
                        "rate": _money(plan.temporary_rate),
                        "area": _number(inputs.area),
                        "months": months,
                    }
                    + (
                        f"（{inputs.swap_transition_basis}）"
                        if swap and inputs.swap_transition_basis
                        else ""
                    ),
                    round_amount(plan.temporary_rate * inputs.area * months, r),
                    Category.TEMPORARY,
                )
            )

    deadline = plan.early_signing_deadline
    if plan.early_signing_bonus and deadline:
        if inputs.signed_on is None:
            notes.append(
                _("提前签约奖励：在%(day)s前（含当日）签约的，另计奖励%(bonus)s元。")
                % {"day": f"{deadline:%Y-%m-%d}", "bonus": _money(plan.early_signing_bonus)}
            )
        elif inputs.signed_on <= deadline:
            lines.append(
                Line(
                    "early_signing",
                    _("提前签约奖励"),
                    _("%(signed)s签约，不晚于奖励截止日期%(day)s")
                    % {"signed": f"{inputs.signed_on:%Y-%m-%d}", "day": f"{deadline:%Y-%m-%d}"},
                    round_amount(plan.early_signing_bonus, r),
                    Category.INCENTIVE,
                )
            )

    if swap and inputs.swap_flats:
        lines.extend(swap_settlement_lines(plan, inputs))
    elif swap:
        if not inputs.swap_area or inputs.swap_area <= 0:
            raise CalculationError(_("产权调换须在补偿协议中填写调换房屋面积，才能测算补偿。"))
        swap_price = plan.swap_unit_price or inputs.unit_price
        amount = round_amount(exact_house - inputs.swap_area * swap_price, r)
        words = (
            _("由乙方支付 %(amount)s 元") % {"amount": _money(-amount)}
            if amount < 0
            else _("应付乙方 %(amount)s 元") % {"amount": _money(amount)}
        )
        if not plan.swap_unit_price and not amount:
            # No swap price in the plan and no flats chosen yet: a 0.00 at the appraisal price
            # says nothing; the difference is settled by a supplement after the selection day
            # (compensation.supplements).
            basis = _("调换房屋 %(area)s 平方米，尚未选房；差价待选房后以补充协议结算") % {
                "area": _number(inputs.swap_area)
            }
        elif not plan.swap_unit_price:
            basis = _(
                "调换房屋 %(area)s 平方米，尚未选房，暂按评估单价 %(price)s 元/平方米计面积差"
                "（%(words)s）；差价待选房后以补充协议结算"
            ) % {"area": _number(inputs.swap_area), "price": _money(swap_price), "words": words}
        else:
            basis = _(
                "被征收房屋价值（评估单价 %(unit)s 元/平方米 × %(own)s 平方米）− 调换房屋 "
                "%(area)s 平方米 × %(price)s 元/平方米；%(words)s"
            ) % {
                "unit": _money(inputs.unit_price),
                "own": _number(inputs.area),
                "area": _number(inputs.swap_area),
                "price": _money(swap_price),
                "words": words,
            }
        lines.append(Line("swap_difference", _("产权调换差价"), basis, amount, Category.HOUSE))

    for item in inputs.items:
        lines.append(
            Line(
                "item",
                item.name,
                _("%(quantity)s %(unit)s × %(price)s 元")
                % {
                    "quantity": _number(item.quantity),
                    "unit": item.unit,
                    "price": _money(item.unit_price),
                },
                round_amount(item.quantity * item.unit_price, r),
                Category.OTHER,
            )
        )

    subsidy = round_amount(plan.subsidy_for(inputs.hardship), r) if inputs.hardship else ZERO
    if subsidy:
        lines.append(
            Line(
                "hardship",
                _("困难补助"),
                _("%(kind)s，按补偿方案标准；经困难补助公示期满后发放")
                % {"kind": Household.Hardship(inputs.hardship).label},
                subsidy,
                Category.HARDSHIP,
                is_subsidy=True,
            )
        )

    compensation_total = sum((line.amount for line in lines if not line.is_subsidy), ZERO)
    owner_share = ZERO
    if inputs.is_public_housing:
        property_value = house_value + decoration
        tenant_part = round_amount(property_value * plan.public_tenant_percent / HUNDRED, r)
        owner_share = property_value - tenant_part
        notes.append(
            _(
                "公有房屋：房屋价值及装饰装修 %(value)s 元中，承租人得 %(percent)s%%，即 "
                "%(tenant)s 元，产权单位得 %(owner)s 元；其余各项归承租人。"
            )
            % {
                "value": _money(property_value),
                "percent": plan.public_tenant_percent,
                "tenant": _money(tenant_part),
                "owner": _money(owner_share),
            }
        )
    if plan.rounding == CompensationPlan.Rounding.YUAN:
        notes.append(_("各项金额按补偿方案四舍五入到元，合计为各项之和。"))
    return Result(
        lines=tuple(lines),
        compensation_total=compensation_total,
        subsidy_total=subsidy,
        owner_share=owner_share,
        tenant_share=compensation_total - owner_share,
        notes=tuple(notes),
    )


def swap_settlement_lines(plan: CompensationPlan, inputs: Inputs) -> list[Line]:
    """The itemised 产权调换差价 for the flats chosen on the selection day.

    Returns: the old house's value (valuation unit price × area) as a positive line
    ("swap_house_value"), then one negative line ("swap_flat") per part of each chosen flat:
    the flats are taken in the order given (selection order); the entitlement
    (以旧换新面积 = old area × ratio + bonus area, `SwapRules.entitlement`) is used up flat by
    flat at each flat's 安置价; the household's area beyond it is priced in the plan's tiers in
    order (a tier's width counts across all the flats: 10 m² of tier 1 in total, not per flat),
    then at the market price. Every line is area × price in 元, rounded once by the plan's
    rule, half up; the lines sum to the difference (负数: the household pays it).

    Raises CalculationError when the plan has no swap rules, a flat has no price, or the area
    beyond the entitlement exceeds the plan's cap `max_extra_area` (the selection-day pick
    refuses such a choice first). Legal source: 条例 第二十一条 (产权调换: 计算、结清差价).
    """
    rules = inputs.swap_rules
    if rules is None:
        raise CalculationError(
            _("补偿方案未规定产权调换选房规则（应安置面积、超面积档次），不能结算差价。")
        )
    r = plan.rounding
    exact_house = inputs.unit_price * inputs.area
    lines = [
        Line(
            "swap_house_value",
            _("被征收房屋价值（抵作安置房价款）"),
            _("评估单价 %(price)s 元/平方米 × 建筑面积 %(area)s 平方米")
            % {"price": _money(inputs.unit_price), "area": _number(inputs.area)},
            round_amount(exact_house, r),
            Category.HOUSE,
        )
    ]
    entitlement = rules.entitlement(inputs.area)
    total_area = sum((flat.area for flat in inputs.swap_flats), Decimal(0))
    extra_total = max(total_area - entitlement, Decimal(0))
    if rules.max_extra_area is not None and extra_total > rules.max_extra_area:
        raise CalculationError(
            _(
                "所选房屋共 %(total)s 平方米，超出应安置面积 %(entitled)s 平方米 %(extra)s 平方米，"
                "超过补偿方案允许的 %(cap)s 平方米。"
            )
            % {
                "total": _number(total_area),
                "entitled": _number(entitlement),
                "extra": _number(extra_total),
                "cap": _number(rules.max_extra_area),
            }
        )
    left = entitlement  # entitlement not yet used
    extra_used = Decimal(0)  # extra area already priced, across flats (for the tiers)
    for flat in inputs.swap_flats:
        if flat.resettlement_price is None or flat.market_price is None:
            raise CalculationError(
                _("%(flat)s 尚无执行中的价格，不能结算差价。") % {"flat": flat.label}
            )
        own = min(left, flat.area)
        left -= own
        if own > 0:
            lines.append(
                Line(
                    "swap_flat",
                    _("%(flat)s 应安置面积内") % {"flat": flat.label},
                    _("%(area)s 平方米 × 安置价 %(price)s 元/平方米")
                    % {"area": _number(own), "price": _money(flat.resettlement_price)},
                    -round_amount(own * flat.resettlement_price, r),
                    Category.HOUSE,
                )
            )
        rest = flat.area - own  # this flat's area beyond the entitlement
        start = Decimal(0)
        for position, tier in enumerate(rules.tiers, start=1):
            end = start + tier.width
            part = min(rest, max(end - extra_used, Decimal(0)))
            if part > 0:
                if tier.unit_price is not None:
                    price = tier.unit_price
                    basis = _("%(area)s 平方米 × %(price)s 元/平方米") % {
                        "area": _number(part),
                        "price": _money(price),
                    }
                else:
                    price = flat.market_price * tier.market_percent / HUNDRED
                    basis = _("%(area)s 平方米 × 市场价 %(market)s 元/平方米 × %(percent)s%%") % {
                        "area": _number(part),
                        "market": _money(flat.market_price),
                        "percent": _number(tier.market_percent),
                    }
                lines.append(
                    Line(
                        "swap_flat",
                        _("%(flat)s 超出应安置面积第%(tier)s档")
                        % {"flat": flat.label, "tier": position},
                        basis,
                        -round_amount(part * price, r),
                        Category.HOUSE,
                    )
                )
                rest -= part
                extra_used += part
            start = end
        if rest > 0:
            lines.append(
                Line(
                    "swap_flat",
                    _("%(flat)s 超出各档面积部分") % {"flat": flat.label},
                    _("%(area)s 平方米 × 市场价 %(price)s 元/平方米")
                    % {"area": _number(rest), "price": _money(flat.market_price)},
                    -round_amount(rest * flat.market_price, r),
                    Category.HOUSE,
                )
            )
            extra_used += rest
    return lines


# ---------------------------------------------------------------------------
# Reading the inputs from the database


@dataclass(frozen=True)
class SwapChoice:
    """A swap household's chosen flats as the resettlement app reads them: the flats in
    selection order with the prices in force on the selection day, the plan's swap rules, and
    the months of transition until delivery when the plan's fixed months do not apply."""

    flats: tuple[SwapFlat, ...]
    rules: SwapRules | None
    transition: bool | None = None  # two moves (a transition) or one; None: as the agreement says
    transition_months: int | None = None
    transition_basis: str = ""

    @property
    def area(self) -> Decimal:
        """The chosen flats' total building area, m²."""
        return sum((flat.area for flat in self.flats), Decimal(0))


# The resettlement app registers, from its AppConfig.ready(), the function that reads a
# household's chosen flats: (household) -> SwapChoice | None. Compensation never imports it.
_swap_choice_sources: list = []


def register_swap_choice_source(source) -> None:
    """Register `source(household, day) -> SwapChoice | None` (once per source); `day` is the
    signing day the computation is for (None: today)."""
    if source not in _swap_choice_sources:
        _swap_choice_sources.append(source)


UNREAD = object()  # inputs_for's `choice` when the caller has not read it


def swap_choice_for(household: Household, day: date | None = None) -> SwapChoice | None:
    """The flats the household chose on the selection day, or None when it chose none; its
    transition is counted from `day` (the signing day; None: today) unless it has moved out."""
    for source in _swap_choice_sources:
        choice = source(household, day)
        if choice is not None:
            return choice
    return None


def approved_plan(project) -> CompensationPlan:
    plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    if plan is None:
        raise CalculationError(_("本项目的补偿方案尚未批准，不能测算补偿。"))
    return plan


def current_valuation(household: Household):
    valuation = household.valuations.current().first()
    if valuation is None:
        raise CalculationError(
            _("%(code)s 户尚无有效的分户评估报告，不能测算补偿；请先录入评估结果。")
            % {"code": household.code}
        )
    return valuation


def inputs_for(
    household: Household,
    *,
    valuation,
    method: str | None = None,
    swap_area: Decimal | None = None,
    swap_transition: bool = True,
    signed_on: date | None = None,
    choice: SwapChoice | object | None = UNREAD,
) -> Inputs:
    """The household's inputs: the method and signing date default to what is on record (a
    household that has not chosen is computed as monetary compensation). A swap household that
    chose flats on the selection day is settled flat by flat (`swap_choice_for`, unless the
    caller passes the `choice` it already read for that day), and its swap area defaults to the
    chosen flats' area."""
    counts = household.item_counts.select_related("item").order_by("item__sort_order", "item")
    method = method or household.method or Household.Method.MONETARY
    day = signed_on if signed_on is not None else household.signed_on
    if method != Household.Method.SWAP:
        choice = None
    elif choice is UNREAD:
        choice = swap_choice_for(household, day)
    if choice is not None and swap_area is None:
        swap_area = choice.area
    if choice is not None and choice.transition is not None:
        swap_transition = choice.transition
    return Inputs(
        area=household.area,
        use=household.use,
        hardship=household.hardship,
        is_public_housing=household.is_public_housing,
        method=method,
        appraised_value=valuation.appraised_value,
        unit_price=valuation.unit_price,
        signed_on=signed_on if signed_on is not None else household.signed_on,
        swap_area=swap_area,
        swap_transition=swap_transition,
        items=tuple(
            CountedItem(c.item.name, c.item.unit, c.item.unit_price, c.quantity) for c in counts
        ),
        swap_flats=choice.flats if choice else (),
        swap_rules=choice.rules if choice else None,
        swap_transition_months=choice.transition_months if choice else None,
        swap_transition_basis=choice.transition_basis if choice else "",
    )
