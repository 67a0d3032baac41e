"""Scorecards: indicators bound to the system's figures, entered ones, validation, totals."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget import yearbook
from budget.models import Indicator, SpendingKind
from petitions import services as petition_services
from projects import safety
from projects.models import Hazard
from tests.auth import login
from tests.budget.conftest import indicator, line
from tests.factories import HouseholdFactory, ProjectFactory

pytestmark = pytest.mark.django_db

L, S, M = Indicator.Level, Indicator.Sublevel, Indicator.Method


def department(budget_year):
    return yearbook.gather(budget_year).department


@pytest.fixture
def projects_2022(district):
    """Two projects in progress in 2022 (one new), 5 households, 3 signed by its end."""
    older = ProjectFactory(district=district, name="六岭棚改", started_on=date(2021, 3, 1))
    new = ProjectFactory(district=district, name="三里桥道路改造工程", started_on=date(2022, 7, 6))
    ProjectFactory(
        district=district,
        name="已完成项目",
        started_on=date(2018, 1, 1),
        completed_on=date(2021, 6, 1),
    )
    for signed_on in (date(2022, 3, 1), date(2022, 5, 1), None):
        HouseholdFactory(project=older, signed_on=signed_on, method="monetary" if signed_on else "")
    HouseholdFactory(project=new, signed_on=date(2022, 12, 1), method="swap")
    HouseholdFactory(project=new, signed_on=date(2023, 1, 5), method="swap")  # after the year
    return older, new


def test_an_indicator_bound_to_a_figure_takes_its_actual_from_the_projects(
    budget_year, finance, projects_2022
):
    indicator(
        budget_year,
        finance,
        name="正在实施的征收项目",
        target=Decimal(4),
        figure="in_progress_count",
        weight=Decimal(50),
    )
    indicator(
        budget_year,
        finance,
        name="完成签约户数",
        target=Decimal(4),
        unit="户",
        figure="signed_households",
        weight=Decimal(50),
    )
    rows = department(budget_year).rows
    assert [(row.actual, row.score) for row in rows] == [
        (Decimal(2), Decimal("25.00")),  # 2 of 4 projects
        (Decimal(3), Decimal("37.50")),  # 3 of 4 households, the 2023 signing left out
    ]
    assert [row.actual_text for row in rows] == ["2个", "3户"]


def test_a_bound_indicator_ignores_an_actual_typed_beside_it(budget_year, finance, projects_2022):
    saved = indicator(budget_year, finance, figure="in_progress_count", actual=Decimal(99))
    assert saved.actual is None
    assert department(budget_year).rows[0].actual == Decimal(2)


def test_hazards_rectified_in_the_year_fill_the_rectification_rate(
    budget_year, finance, office_user, projects_2022
):
    older, _new = projects_2022
    inspection = safety.create_inspection(
        by=office_user, name="2022年拆除施工安全专项整治", started_on=date(2022, 5, 30)
    )
    for category, rectified_on in [
        (Hazard.Category.DEMOLITION, date(2022, 6, 8)),
        (Hazard.Category.FENCING, date(2022, 6, 9)),
        (Hazard.Category.FENCING, None),
        (Hazard.Category.ELECTRICITY, date(2022, 6, 10)),
    ]:
        hazard = safety.record_hazard(
            inspection=inspection,
            by=office_user,
            project=older,
            category=category,
            place="六岭路",
            description="围挡破损",
            responsible_unit="双清区征收办",
            measures="修补围挡",
            due_on=date(2022, 6, 30),
        )
        if rectified_on:
            safety.update_hazard(
                hazard=hazard,
                by=office_user,
                status=Hazard.Status.RECTIFIED,
                rectified_on=rectified_on,
            )
    figures = yearbook.gather(budget_year).figures
    assert [
        figures[key].text
        for key in (
            "hazards_found",
            "hazard_categories",
            "hazards_rectified",
            "hazard_rectification_rate",
        )
    ] == ["4", "3", "3", "75%"]


def test_visitor_times_come_from_the_petitions_reception_log(budget_year, office_user, district):
    for people, visited_on in [
        (1, date(2022, 3, 1)),
        (5, date(2022, 8, 1)),
        (2, date(2021, 12, 30)),
    ]:
        petition_services.record_visit(
            by=office_user,
            visited_on=visited_on,
            district=district,
            people_count=people,
            visitor_name="测试来访人",
            visitor_phone="13907391234",
            summary="咨询补偿标准。",
        )
    assert yearbook.gather(budget_year).figures["visitor_times"].text == "6"


def test_the_execution_indicator_scores_the_years_budget_execution(budget_year, finance):
    line(budget_year, finance, kind=SpendingKind.BASIC, amounts=("0", "213.4", "213.4", "0"))
    line(budget_year, finance, kind=SpendingKind.PROJECT, amounts=("3", "5", "3", "5"))
    indicator(
        budget_year,
        finance,
        level=L.EXECUTION,
        sublevel=S.EXECUTION_RATE,
        name="预算执行率",
        method=M.EXECUTION,
        target=None,
        weight=Decimal(10),
    )
    row = department(budget_year).rows[0]
    assert (row.actual_text, row.score) == ("97.74%", Decimal("9.77"))


def test_a_manual_score_needs_a_reason(budget_year, finance):
    with pytest.raises(ValidationError) as refused:
        indicator(budget_year, finance, method=M.MANUAL, manual_score=Decimal(8), score_reason=" ")
    assert "人工评分须说明评分理由" in str(refused.value)
    saved = indicator(
        budget_year,
        finance,
        method=M.MANUAL,
        manual_score=Decimal(8),
        score_reason="抽查10个项目，2个程序瑕疵。",
    )
    assert department(budget_year).rows[0].score == Decimal("8.00")
    assert saved.history.count() == 1


def test_a_second_level_must_belong_to_its_first_level(budget_year, finance):
    with pytest.raises(ValidationError) as refused:
        indicator(budget_year, finance, level=L.OUTPUT, sublevel=S.SOCIAL)
    assert "“社会效益指标”不属于一级指标“产出指标”" in str(refused.value)


def test_a_not_applicable_indicator_is_dropped_from_the_total(budget_year, finance):
    indicator(budget_year, finance, target=Decimal(10), actual=Decimal(10), weight=Decimal(70))
    indicator(
        budget_year,
        finance,
        name="生态效益",
        level=L.BENEFIT,
        sublevel=S.ECOLOGICAL,
        target=Decimal(1),
        actual=Decimal(0),
        weight=Decimal(30),
        is_applicable=False,
    )
    card = department(budget_year)
    assert (card.total, card.grade) == (Decimal("100.00"), "优")


def test_finance_adds_an_indicator_through_the_page(client, budget_year, finance):
    login(client, "finance")
    response = client.post(
        reverse("budget:indicator_create", args=[2022]),
        {
            "level": "satisfaction",
            "sublevel": "service",
            "name": "被征收群众满意度",
            "method": "positive",
            "target": "90",
            "unit": "%",
            "actual": "87",
            "weight": "10",
            "order": "1",
            "is_applicable": "on",
        },
    )
    assert response.status_code == 302
    assert department(budget_year).rows[0].score == Decimal("9.67")


def test_a_manual_score_without_a_reason_is_refused_on_the_page(client, budget_year, finance):
    login(client, "finance")
    response = client.post(
        reverse("budget:indicator_create", args=[2022]),
        {
            "level": "output",
            "sublevel": "quality",
            "name": "程序合规",
            "method": "manual",
            "weight": "10",
            "manual_score": "9",
            "order": "1",
            "is_applicable": "on",
        },
    )
    assert response.status_code == 200
    assert "人工评分须" in response.content.decode()
    assert not Indicator.objects.exists()
