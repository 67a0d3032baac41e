"""The consistency check: every stated total against the sum of its lines."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budget import services, yearbook
from budget.models import ExpenseControl, Fund, Indicator, SpendingKind
from tests.auth import login
from tests.budget.conftest import indicator, line, wan

pytestmark = pytest.mark.django_db


def seed_lines(budget_year, by):
    line(budget_year, by, kind=SpendingKind.BASIC, amounts=("0", "213.4", "213.4", "0"))
    line(budget_year, by, kind=SpendingKind.PROJECT, amounts=("3", "5", "3", "5"))


def findings(budget_year):
    return yearbook.gather(budget_year).findings


def test_the_seeds_stated_total_is_caught_against_basic_plus_project(budget_year, finance):
    seed_lines(budget_year, finance)
    services.save_stated_total(
        budget_year=budget_year,
        by=finance,
        fund=Fund.GENERAL,
        income=wan("213.4"),
        expenditure=wan("213.4"),
    )
    found = findings(budget_year)
    assert [(f.stated, f.computed) for f in found] == [("213.4", "218.4"), ("213.4", "216.4")]
    assert "决算一般公共预算财政拨款本年收入为213.4万元" in found[0].message
    assert "合计218.4万元，相差5万元" in found[0].message


def test_totals_that_agree_with_their_lines_give_no_finding(budget_year, finance):
    seed_lines(budget_year, finance)
    services.save_stated_total(
        budget_year=budget_year,
        by=finance,
        fund=Fund.GENERAL,
        income=wan("218.4"),
        expenditure=wan("216.4"),
    )
    assert findings(budget_year) == []


def test_project_expenditures_are_checked_against_the_project_line(budget_year, finance):
    seed_lines(budget_year, finance)
    services.save_expenditure(
        budget_year=budget_year,
        by=finance,
        name="房屋征收工作经费",
        fiscal_initial=wan("5"),
        fiscal_full=wan("5"),
        carryover_full=wan("3"),
        carryover_executed=wan("2"),  # the project line says 3万元 were spent
    )
    found = findings(budget_year)
    assert len(found) == 1
    assert "一般公共预算项目支出本年支出为3万元" in found[0].message
    assert "各项目支出的全年执行数合计2万元" in found[0].message


def test_three_public_funds_must_equal_their_parts_and_listed_parts_may_not_exceed_public_funds(
    budget_year, finance
):
    item = ExpenseControl.Item
    zero = {"previous_actual": Decimal(0), "budget": Decimal(0), "actual": Decimal(0)}
    values = {i.value: dict(zero) for i in item}
    values[item.THREE_PUBLIC]["actual"] = Decimal("35000")
    values[item.VEHICLE]["actual"] = Decimal("28600")
    values[item.VEHICLE_RUNNING]["actual"] = Decimal("28600")
    values[item.RECEPTION]["actual"] = Decimal("6420")  # 28,600 + 6,420 = 35,020
    values[item.PUBLIC_FUNDS]["actual"] = Decimal("50000")
    values[item.OFFICE]["actual"] = Decimal("50460")  # a "其中" part above its total
    services.save_expense_controls(budget_year=budget_year, by=finance, values=values)

    messages = [f.message for f in findings(budget_year)]
    assert messages == [
        # 20 yuan would vanish in 万元 with two places: this one is written in yuan.
        "“三公”经费本年决算数为35,000.00元，但公务用车购置及运行维护费、因公出国（境）费、"
        "公务接待费合计35,020.00元，相差20.00元。",
        "公用经费本年决算数为50,000.00元，但办公经费、水费、电费、差旅费、会议费、培训费"
        "合计50,460.00元，相差460.00元。",
    ]


def test_scorecard_weights_are_checked_against_the_layout(budget_year, finance):
    indicator(budget_year, finance, weight=Decimal("45"))
    found = findings(budget_year)
    assert [f.message for f in found] == [
        "产出指标的分值应为50分，但其下各指标分值合计45分。",
        "各指标分值合计应为100分，实际为45分。",
    ]


def test_the_year_page_lists_the_findings(client, budget_year, finance):
    seed_lines(budget_year, finance)
    services.save_stated_total(
        budget_year=budget_year, by=finance, fund=Fund.GENERAL, income=wan("213.4"), expenditure=0
    )
    login(client, "finance")
    html = client.get(reverse("budget:year_detail", args=[2022])).content.decode()
    assert "一致性检查发现2处不一致" in html
    assert "合计218.4万元" in html


def test_the_execution_indicator_belongs_under_budget_execution(budget_year, finance):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        indicator(budget_year, finance, method=Indicator.Method.EXECUTION, target=None)
    assert "按预算执行率评分的指标须放在一级指标“预算执行”下" in str(refused.value)
