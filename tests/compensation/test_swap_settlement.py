"""The property-swap settlement (产权调换差价) against figures worked out by hand.

Plan: tests.compensation.factories.PLAN (rounded to the fen). Swap rules for every case below:
entitlement = old area × 1.00 + 10 m²; tier 1: the next 10 m² at 4,800.10 元/m²; tier 2: the
next 10 m² at 80 % of the flat's market price; beyond: the market price; at most 40 m² beyond
the entitlement."""

from decimal import Decimal

import pytest

from compensation import calculation
from compensation.calculation import CalculationError, Inputs, SwapFlat, SwapRules, SwapTierRule
from projects.models import CompensationPlan
from tests.compensation.factories import PLAN

D = Decimal
RULES = SwapRules(
    entitlement_ratio=D("1.00"),
    entitlement_bonus_area=D("10.00"),
    tiers=(
        SwapTierRule(width=D("10.00"), unit_price=D("4800.10")),
        SwapTierRule(width=D("10.00"), market_percent=D("80.00")),
    ),
    max_extra_area=D("40.00"),
)


def swap(area, unit_price, *flats, rules=RULES):
    inputs = Inputs(
        area=D(area),
        use="residential",
        hardship="",
        is_public_housing=False,
        method="swap",
        appraised_value=D(area) * D(unit_price),
        unit_price=D(unit_price),
        signed_on=None,
        swap_flats=tuple(flats),
        swap_rules=rules,
    )
    return calculation.compute(CompensationPlan(**PLAN), inputs)


def flat(label, area, resettlement, market):
    return SwapFlat(label, D(area), D(resettlement), D(market))


def swap_lines(result):
    return [
        (line.label, line.amount) for line in result.lines if line.code in calculation.SWAP_CODES
    ]


def test_within_the_entitlement_the_household_receives_the_difference():
    # 86.50 m² × 5,000 = 432,500; entitlement 96.50 m² covers the 90 m² flat at 4,000.
    result = swap("86.50", "5000.00", flat("1栋101", "90.00", "4000.00", "6000.00"))
    assert swap_lines(result) == [
        ("被征收房屋价值（抵作安置房价款）", D("432500.00")),
        ("1栋101 应安置面积内", D("-360000.00")),
    ]
    assert result.swap_difference == D("72500.00")


def test_extra_area_in_two_tiers():
    # 70 m² × 5,000 = 350,000; entitlement 80 m²; the 95 m² flat: 80 at 4,000 = 320,000,
    # 10 at 4,800.10 = 48,001, 5 at 6,000 × 80 % = 24,000.
    result = swap("70.00", "5000.00", flat("2栋502", "95.00", "4000.00", "6000.00"))
    assert [amount for _label, amount in swap_lines(result)] == [
        D("350000.00"),
        D("-320000.00"),
        D("-48001.00"),
        D("-24000.00"),
    ]
    assert result.swap_difference == D("-42001.00")
    tier2 = next(line for line in result.lines if line.label == "2栋502 超出应安置面积第2档")
    assert tier2.basis == "5 平方米 × 市场价 6,000.00 元/平方米 × 80%"


def test_exactly_at_the_tier_boundary_no_second_tier_line():
    # 80 m² entitlement, 90 m² flat: exactly tier 1's 10 m², nothing in tier 2.
    result = swap("70.00", "5000.00", flat("2栋501", "90.00", "4000.00", "6000.00"))
    labels = [label for label, _amount in swap_lines(result)]
    assert "2栋501 超出应安置面积第1档" in labels
    assert "2栋501 超出应安置面积第2档" not in labels
    assert result.swap_difference == D("350000.00") - D("320000.00") - D("48001.00")


def test_two_flats_beyond_the_last_tier_at_market_price():
    # 60 m² × 5,000 = 300,000; entitlement 70 m². Flat A 60 m² all within (240,000); flat B
    # 45.50 m²: 10 within at 4,100 (41,000), tier 1 10 × 4,800.10 (48,001), tier 2
    # 10 × 6,200 × 80 % (49,600), beyond 15.50 × 6,200 (96,100): extra 35.50 ≤ 40.
    result = swap(
        "60.00",
        "5000.00",
        flat("3栋201", "60.00", "4000.00", "6000.00"),
        flat("3栋202", "45.50", "4100.00", "6200.00"),
    )
    assert swap_lines(result)[1:] == [
        ("3栋201 应安置面积内", D("-240000.00")),
        ("3栋202 应安置面积内", D("-41000.00")),
        ("3栋202 超出应安置面积第1档", D("-48001.00")),
        ("3栋202 超出应安置面积第2档", D("-49600.00")),
        ("3栋202 超出各档面积部分", D("-96100.00")),
    ]
    assert result.swap_difference == D("-174701.00")


def test_the_household_pays_when_the_flat_is_worth_more_within_the_entitlement():
    # 80 m² × 3,600 = 288,000; 88 m² at 4,000 = 352,000 within the 90 m² entitlement.
    result = swap("80.00", "3600.00", flat("1栋303", "88.00", "4000.00", "6000.00"))
    assert result.swap_difference == D("-64000.00")
    # The other lines (relocation twice, 24 months' temporary) still belong to the household.
    assert result.compensation_total == D("-64000.00") + D("2000.00") + D("12") * D("80") * 24


def test_half_a_fen_rounds_up_once_per_line():
    # 50 m² → entitlement 60 m²; a 60.05 m² flat: 60 × 4,000.10 = 240,006.00; the extra
    # 0.05 m² × 4,800.10 = 240.005 → 240.01 (half up, once, on the line's exact value).
    result = swap("50.00", "5000.00", flat("1栋808", "60.05", "4000.10", "6000.00"))
    assert swap_lines(result)[1:] == [
        ("1栋808 应安置面积内", D("-240006.00")),
        ("1栋808 超出应安置面积第1档", D("-240.01")),
    ]
    assert result.swap_difference == D("250000.00") - D("240006.00") - D("240.01")


def test_the_cap_beyond_the_entitlement_holds_to_the_hundredth_of_a_square_metre():
    # entitlement 70 m²; exactly 40 m² beyond is allowed, 40.01 is refused.
    at_cap = swap("60.00", "5000.00", flat("1栋1", "110.00", "4000.00", "6000.00"))
    assert at_cap.swap_difference is not None
    with pytest.raises(CalculationError) as refused:
        swap("60.00", "5000.00", flat("1栋1", "110.01", "4000.00", "6000.00"))
    assert "超过补偿方案允许的 40 平方米" in refused.value.messages[0]


def test_a_plan_without_swap_rules_cannot_settle_chosen_flats():
    with pytest.raises(CalculationError) as refused:
        swap("60.00", "5000.00", flat("1栋1", "60.00", "4000.00", "6000.00"), rules=None)
    assert "选房规则" in refused.value.messages[0]


def test_without_chosen_flats_the_single_swap_line_stays():
    inputs = Inputs(
        area=D("60.00"),
        use="residential",
        hardship="",
        is_public_housing=False,
        method="swap",
        appraised_value=D("300000.00"),
        unit_price=D("5000.00"),
        swap_area=D("60.00"),
    )
    result = calculation.compute(CompensationPlan(**PLAN), inputs)
    # 60 × 5,000 − 60 × 4,500 (the plan's swap unit price)
    assert result.swap_difference == D("30000.00")


def test_transition_months_until_delivery_replace_the_plans_months():
    inputs = Inputs(
        area=D("60.00"),
        use="residential",
        hardship="",
        is_public_housing=False,
        method="swap",
        appraised_value=D("300000.00"),
        unit_price=D("5000.00"),
        swap_flats=(flat("2栋1", "60.00", "4000.00", "6000.00"),),
        swap_rules=RULES,
        swap_transition_months=31,
        swap_transition_basis="期房预计交付日期2025-06-30",
    )
    result = calculation.compute(CompensationPlan(**PLAN), inputs)
    temporary = next(line for line in result.lines if line.code == "temporary")
    assert temporary.amount == D("12") * D("60") * 31
    assert temporary.basis.endswith("31 个月（期房预计交付日期2025-06-30）")
