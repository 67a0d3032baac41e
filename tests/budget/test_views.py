"""Who may open what: office staff read the budget, finance and leaders change its figures,
district users are refused (403), anonymous users are sent to log in."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budget import services
from budget.models import AnnualReport, BudgetYear
from core.roles import Section
from tests.auth import login
from tests.budget.conftest import indicator
from tests.budget.factories import BudgetYearFactory
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(budget_year, finance):
    expenditure = services.save_expenditure(
        budget_year=budget_year, by=finance, name="房屋征收工作经费"
    )
    measure = indicator(budget_year, finance)
    run = AnnualReport.objects.create(budget_year=budget_year, requested_by=finance)
    return {"expenditure": expenditure, "indicator": measure, "run": run}


# (url name, args from the fixtures, method); the first group is what every office
# staff member may open, the second what only finance and leaders may.
READ = [
    ("budget:year_list", [], "get"),
    ("budget:year_detail", [2022], "get"),
    ("budget:expenditure_detail", ["expenditure"], "get"),
    ("budget:narrative_edit", [2022, "work"], "get"),
    ("budget:narrative_preview", [2022, "work"], "post"),
    ("budget:report_detail", ["run"], "get"),
    ("budget:report_progress", ["run"], "get"),
]
EDIT = [
    ("budget:year_edit", [2022], "get"),
    ("budget:line_edit", [2022, "general", "basic"], "get"),
    ("budget:stated_edit", [2022, "general"], "get"),
    ("budget:controls_edit", [2022], "get"),
    ("budget:expenditure_create", [2022], "get"),
    ("budget:expenditure_edit", ["expenditure"], "get"),
    ("budget:indicator_create", [2022], "get"),
    ("budget:indicator_edit", ["indicator"], "get"),
    ("budget:indicator_delete", ["indicator"], "post"),
    ("budget:report_publish", ["run"], "post"),
]
ALL = [
    *READ,
    *EDIT,
    ("budget:report_request", [2022], "post"),
    ("budget:report_file", ["run", "pdf"], "get"),
]


def url_for(name, args, rows):
    return reverse(name, args=[rows[a].pk if isinstance(a, str) and a in rows else a for a in args])


@pytest.mark.parametrize(("name", "args", "method"), ALL)
def test_anonymous_users_are_sent_to_log_in(client, rows, name, args, method):
    response = getattr(client, method)(url_for(name, args, rows))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "args", "method"), ALL)
def test_district_users_are_refused_every_budget_page(client, rows, outsider, name, args, method):
    login(client, "outsider")
    response = getattr(client, method)(url_for(name, args, rows))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize(("name", "args", "method"), READ)
def test_any_office_staff_member_reads_the_budget(client, rows, office_user, name, args, method):
    login(client, "clerk")
    response = getattr(client, method)(url_for(name, args, rows))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "args", "method"), EDIT)
def test_only_finance_and_leaders_change_the_figures(client, rows, office_user, name, args, method):
    login(client, "clerk")
    response = getattr(client, method)(url_for(name, args, rows))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "args", "method"), [e for e in EDIT if e[2] == "get"])
def test_finance_opens_every_form(client, rows, name, args, method):
    login(client, "finance")
    assert client.get(url_for(name, args, rows)).status_code == 200


def test_a_leader_may_change_the_figures_too(client, budget_year):
    staff(Section.LEADER, username="boss", name="周领导")
    login(client, "boss")
    assert client.get(reverse("budget:year_edit", args=[2022])).status_code == 200


def test_a_missing_year_is_not_found(client, office_user):
    login(client, "clerk")
    assert client.get(reverse("budget:year_detail", args=[2031])).status_code == 404


def test_a_new_year_carries_the_facts_of_the_year_before(client, budget_year, finance):
    login(client, "finance")
    response = client.post(reverse("budget:year_list"), {"year": "2023"})
    assert response["Location"] == reverse("budget:year_detail", args=[2023])
    new = BudgetYear.objects.get(year=2023)
    assert (new.authorized_posts, new.section_list) == (
        16,
        ["计划财务科", "法规科", "人事秘书科", "业务科"],
    )

    again = client.post(reverse("budget:year_list"), {"year": "2023"})
    assert "2023年度已经建立" in again.content.decode()


# What the year form asks beyond the facts: the forms it files on and its funds (zero).
YEAR_FORMS_AND_FUNDS = {
    "cover_label": "附件1",
    "form_layout": "hunan",
    **{
        f"{source}_{column}": "0"
        for source in ("fiscal", "carryover", "other")
        for column in ("initial", "full", "executed")
    },
}


def test_the_year_facts_are_edited_with_their_grade_thresholds(client, budget_year, finance):
    login(client, "finance")
    data = {
        "budget_level": "一级预算单位",
        "authorized_posts": "16",
        "staff_in_post": "12",
        "retired": "8",
        "sections": "计划财务科\n业务科",
        "subordinate_units": "",
        "duties": "审核补偿方案；",
        "report_date": "2023-04-07",
        "weight_execution": "10",
        "weight_output": "50",
        "weight_benefit": "30",
        "weight_satisfaction": "10",
        "grade_excellent": "80",
        "grade_good": "85",
        "grade_pass": "60",
        "three_public_note": "",
        "adjustment_note": "",
        **YEAR_FORMS_AND_FUNDS,
    }
    refused = client.post(reverse("budget:year_edit", args=[2022]), data)
    assert "100 ≥ 优 &gt; 良 &gt; 中 ≥ 0" in refused.content.decode()

    data["grade_good"] = "70"
    assert client.post(reverse("budget:year_edit", args=[2022]), data).status_code == 302
    budget_year.refresh_from_db()
    assert (budget_year.staff_in_post, budget_year.grade_excellent) == (12, Decimal(80))


def test_the_year_list_takes_the_same_queries_for_few_and_many_years(
    client, finance, django_assert_max_num_queries
):
    login(client, "finance")
    BudgetYearFactory(year=2021)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("budget:year_list"))
    for year in range(2010, 2020):
        AnnualReport.objects.create(budget_year=BudgetYearFactory(year=year))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("budget:year_list"))
    assert "2019年度" in response.content.decode()


def test_the_year_page_takes_the_same_queries_for_few_and_many_rows(
    client, budget_year, finance, django_assert_max_num_queries
):
    login(client, "finance")
    indicator(budget_year, finance)
    AnnualReport.objects.create(budget_year=budget_year)
    url = reverse("budget:year_detail", args=[2022])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for number in range(8):
        expenditure = services.save_expenditure(
            budget_year=budget_year, by=finance, name=f"项目支出{number}"
        )
        indicator(budget_year, finance, name=f"指标{number}", expenditure=expenditure)
        AnnualReport.objects.create(budget_year=budget_year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
