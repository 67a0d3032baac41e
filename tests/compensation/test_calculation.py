"""Breakdowns against figures worked out by hand (plan: tests.compensation.factories.PLAN:
relocation 1,000 元/次, temporary 12 元/m²/月 for 24 months (swap) or 6 (money), early signing
bonus 20,000 元 until 2022-09-30, subsidies 低保 5,000, swap price 4,500 元/m², business loss 5 %,
public tenant 70 %, rounded to the fen)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from compensation import calculation, services
from compensation.calculation import CountedItem, Inputs
from compensation.models import CompensationBreakdown
from projects.models import CompensationPlan
from tests.compensation.factories import PLAN, approve_plan, valued_household
from tests.factories import HouseholdFactory, staff

D = Decimal
IN_TIME = date(2022, 6, 1)
LATE = date(2022, 10, 8)


def plan(**overrides) -> CompensationPlan:
    return CompensationPlan(**{**PLAN, **overrides})


def amounts(result) -> dict[str, Decimal]:
    return {line.code if line.code != "item" else line.label: line.amount for line in result.lines}


def inputs(**overrides) -> Inputs:
    return Inputs(
        **{
            "area": D("86.50"),
            "use": "residential",
            "hardship": "",
            "is_public_housing": False,
            "method": "monetary",
            "appraised_value": D("450000.00"),
            "unit_price": D("5000.00"),
            "signed_on": IN_TIME,
            **overrides,
        }
    )


def test_monetary_compensation_line_by_line():
    result = calculation.compute(
        plan(),
        inputs(
            items=(
                CountedItem("空调移机", "台", D("1500.00"), D("2")),
                CountedItem("电表", "户", D("800.00"), D("1")),
            )
        ),
    )
    assert amounts(result) == {
        "house_value": D("432500.00"),  # 5,000 × 86.50
        "decoration": D("17500.00"),  # 450,000 − 432,500
        "relocation": D("1000.00"),  # once
        "temporary": D("6228.00"),  # 12 × 86.50 × 6
        "early_signing": D("20000.00"),
        "空调移机": D("3000.00"),
        "电表": D("800.00"),
    }
    assert result.compensation_total == D("481028.00")
    assert result.subsidy_total == D("0.00")
    assert result.tenant_share == result.total == D("481028.00")


def test_property_swap_with_a_transition():
    result = calculation.compute(
        plan(),
        inputs(
            area=D("60.00"),
            appraised_value=D("300000.00"),
            method="swap",
            swap_area=D("70.00"),
        ),
    )
    assert amounts(result) == {
        "relocation": D("2000.00"),  # twice: out, and into the new house
        "temporary": D("17280.00"),  # 12 × 60 × 24
        "early_signing": D("20000.00"),
        "swap_difference": D("-15000.00"),  # 300,000 − 70 × 4,500
    }
    assert result.compensation_total == D("24280.00")


def test_property_swap_into_a_finished_house_has_one_move_and_no_temporary_allowance():
    result = calculation.compute(
        plan(),
        inputs(
            area=D("60.00"),
            appraised_value=D("300000.00"),
            method="swap",
            swap_area=D("60.00"),
            swap_transition=False,
        ),
    )
    assert amounts(result) == {
        "relocation": D("1000.00"),
        "early_signing": D("20000.00"),
        "swap_difference": D("30000.00"),  # 300,000 − 60 × 4,500
    }


def test_a_swap_without_its_area_cannot_be_computed():
    with pytest.raises(ValidationError, match="调换房屋面积"):
        calculation.compute(plan(), inputs(method="swap"))


def test_non_residential_gets_business_loss_and_no_temporary_allowance():
    result = calculation.compute(
        plan(),
        inputs(
            use="non_residential",
            area=D("40.00"),
            unit_price=D("8000.00"),
            appraised_value=D("330000.00"),
        ),
    )
    assert amounts(result) == {
        "house_value": D("320000.00"),
        "decoration": D("10000.00"),
        "business_loss": D("16500.00"),  # 330,000 × 5 %
        "relocation": D("1000.00"),
        "early_signing": D("20000.00"),
    }
    assert result.compensation_total == D("367500.00")


def test_a_vulnerable_household_gets_its_subsidy_outside_the_agreement_amount():
    result = calculation.compute(
        plan(),
        inputs(
            area=D("50.00"),
            unit_price=D("4000.00"),
            appraised_value=D("200000.00"),
            hardship="dibao",
        ),
    )
    assert amounts(result) == {
        "house_value": D("200000.00"),
        "relocation": D("1000.00"),
        "temporary": D("3600.00"),  # 12 × 50 × 6
        "early_signing": D("20000.00"),
        "hardship": D("5000.00"),
    }
    assert result.compensation_total == D("224600.00")
    assert result.subsidy_total == D("5000.00")
    assert result.total == D("229600.00")


def test_a_late_signer_gets_no_early_signing_bonus():
    result = calculation.compute(
        plan(),
        inputs(
            area=D("50.00"), unit_price=D("4000.00"), appraised_value=D("200000.00"), signed_on=LATE
        ),
    )
    assert "early_signing" not in amounts(result)
    assert result.compensation_total == D("204600.00")  # 200,000 + 1,000 + 3,600


def test_signing_on_the_deadline_itself_still_earns_the_bonus():
    result = calculation.compute(plan(), inputs(signed_on=date(2022, 9, 30)))
    assert amounts(result)["early_signing"] == D("20000.00")


def test_an_unsigned_household_is_told_about_the_bonus_instead():
    result = calculation.compute(plan(), inputs(signed_on=None))
    assert "early_signing" not in amounts(result)
    assert any("2022-09-30" in note for note in result.notes)


def test_public_housing_shares_the_property_value_between_owner_and_tenant():
    result = calculation.compute(
        plan(),
        inputs(
            area=D("80.00"),
            appraised_value=D("410000.00"),
            is_public_housing=True,
        ),
    )
    # Property value 400,000 + 10,000 = 410,000: tenant 70 % = 287,000, owner 123,000.
    # The tenant also gets relocation 1,000, temporary 12 × 80 × 6 = 5,760 and the bonus.
    assert result.compensation_total == D("436760.00")
    assert result.owner_share == D("123000.00")
    assert result.tenant_share == D("313760.00")


def test_rounding_to_the_yuan_is_applied_once_per_line():
    yuan = calculation.compute(
        plan(rounding="yuan"),
        inputs(area=D("86.55"), unit_price=D("5000.35"), appraised_value=D("432780.29")),
    )
    fen = calculation.compute(
        plan(rounding="fen"),
        inputs(area=D("86.55"), unit_price=D("5000.35"), appraised_value=D("432780.29")),
    )
    # 5,000.35 × 86.55 = 432,780.2925; 12 × 86.55 × 6 = 6,231.60. The appraised value is below
    # the exact product by 0.0025, so there is no decoration line.
    assert amounts(yuan) == {
        "house_value": D("432780.00"),
        "relocation": D("1000.00"),
        "temporary": D("6232.00"),
        "early_signing": D("20000.00"),
    }
    assert yuan.compensation_total == D("460012.00")
    assert amounts(fen)["house_value"] == D("432780.29")
    assert fen.compensation_total == D("460011.89")


@pytest.mark.django_db
def test_a_household_without_a_valuation_cannot_be_computed(project, district_member):
    approve_plan(project)
    household = HouseholdFactory(project=project)
    with pytest.raises(ValidationError, match="尚无有效的分户评估报告"):
        services.compute_breakdown(household=household, by=district_member)


@pytest.mark.django_db
def test_a_project_without_an_approved_plan_cannot_be_computed(project, district_member):
    household = valued_household(project)
    with pytest.raises(ValidationError, match="补偿方案尚未批准"):
        services.compute_breakdown(household=household, by=district_member)


@pytest.mark.django_db
def test_the_stored_breakdown_keeps_its_lines_and_the_plan_version(project, district_member):
    plan_row = approve_plan(project)
    household = valued_household(
        project, area="86.50", unit_price="5000.00", appraised_value="450000.00"
    )
    item = services.save_price_item(
        project=project, by=district_member, name="空调移机", unit="台", unit_price=D("1500")
    )
    services.set_item_count(household=household, item=item, quantity=D("2"), by=district_member)
    first = services.compute_breakdown(household=household, by=district_member)
    assert first.plan == plan_row
    # Unsigned: no bonus yet. 432,500 + 17,500 + 1,000 + 6,228 + 2 × 1,500 = 460,228.
    assert first.total == D("460228.00")
    assert [(line.label, line.amount) for line in first.lines.all()] == [
        ("被征收房屋价值", D("432500.00")),
        ("装饰装修及附属物", D("17500.00")),
        ("搬迁费", D("1000.00")),
        ("临时安置费", D("6228.00")),
        ("空调移机", D("3000.00")),
    ]

    second = services.compute_breakdown(household=household, by=staff(username="other"))
    first.refresh_from_db()
    assert not first.is_current
    assert CompensationBreakdown.objects.current().get(household=household) == second


def test_a_plan_without_a_swap_price_settles_the_area_difference_at_the_appraised_price():
    result = calculation.compute(
        plan(swap_unit_price=D("0")),
        inputs(
            area=D("60.00"), appraised_value=D("300000.00"), method="swap", swap_area=D("65.00")
        ),
    )
    assert amounts(result)["swap_difference"] == D("-25000.00")  # (60 − 65) × 5,000


@pytest.mark.django_db
def test_the_early_signing_deadline_shows_among_the_clocks(project, office_user):
    from core.clocks import due_items

    approve_plan(project, early_signing_deadline=date(2099, 1, 10))
    HouseholdFactory(project=project)
    project.stage = "signing"
    project.save(update_fields=["stage"])
    items = [
        i for i in due_items(office_user, until=date(2099, 1, 31)) if i.kind == "提前签约奖励截止"
    ]
    assert [(i.title, i.due) for i in items] == [("六岭棚改（尚有1户未签约）", date(2099, 1, 10))]
