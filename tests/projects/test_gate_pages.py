"""Every gated form page follows one pattern (projects.views.gates): while the action is blocked,
GET shows the 办理条件 panel with the Chinese reasons instead of the form, and POST is refused
with the reason before the form is validated (the reason is the first and only error)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from appraisers.models import Valuation
from compensation.models import DisbursementRequest
from core.roles import Section
from projects.models import GateOverride, Stage
from tests.auth import login
from tests.compensation.factories import approve_plan, finance, funded
from tests.factories import HouseholdFactory, put_at_stage, staff

pytestmark = pytest.mark.django_db

SURVEY_PLAN_MISSING = "补偿方案尚未经市征收办批准。"


def _errors(html: str) -> list[str]:
    """The texts of the page's error lists, in order."""
    import re

    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for block in re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', html, re.S)
        for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


# --- 1. a transfer to the district needs the approved plan -----------------------------------


def test_a_transfer_to_the_district_at_the_survey_waits_for_the_approved_plan(client, project):
    put_at_stage(project, Stage.SURVEY)
    fund = funded(project, "50000.00")
    login(client, finance().username)

    page = client.get(project.get_absolute_url()).content.decode()
    row = page[page.index("向区县征收部门划拨") :]
    row = row[: row.index("</tr>")]
    assert "暂不可办理" in row and SURVEY_PLAN_MISSING in row

    # The fund page's button leads to the request page, which shows the reason, not the form.
    detail = client.get(fund.get_absolute_url()).content.decode()
    url = reverse("compensation:request_create", args=[fund.pk])
    assert f'href="{url}"' in detail
    refused = client.get(url).content.decode()
    assert _errors(refused) == [SURVEY_PLAN_MISSING]
    assert 'name="amount"' not in refused

    response = client.post(url, {"amount": "", "category": "", "purpose": ""})
    assert response.status_code == 409
    assert _errors(response.content.decode()) == [SURVEY_PLAN_MISSING]
    assert not DisbursementRequest.objects.exists()

    approve_plan(project)
    response = client.post(
        url,
        {
            "idempotency_key": "k1",
            "amount": "1000.00",
            "category": "working",
            "purpose": "工作经费",
            "paid_on": "2022-06-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert DisbursementRequest.objects.get().amount == Decimal("1000.00")


# --- 2. blocked forms are not shown; a POST meets the reason first -----------------------------


def test_the_sign_form_is_replaced_by_the_reason_and_a_post_gets_only_the_reason(
    client, project, district_member
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    stage_reason = (
        "项目处于「立项启动」阶段，签订补偿协议（签约）须在「签约」、「补偿决定」阶段办理。"
    )

    page = client.get(household.get_absolute_url()).content.decode()
    sign_url = reverse("projects:household_sign", args=[household.pk])
    assert f'action="{sign_url}"' not in page
    assert stage_reason in page

    response = client.post(sign_url, {})  # no date, no method: the fields are never looked at
    assert response.status_code == 409
    errors = _errors(response.content.decode())
    assert errors[0] == stage_reason
    assert errors == [
        stage_reason,
        "补偿方案尚未经市征收办批准。",
        "尚未发布征收决定公告。",
        "该户尚无分户评估报告。",
        "尚未发布二榜公示。",
        "该户尚未起草补偿协议。",
    ]
    household.refresh_from_db()
    assert not household.is_signed


def test_the_decision_form_shows_its_reason_on_get_and_refuses_a_post_before_validating(
    client, project, district_member
):
    household = HouseholdFactory(project=project)
    put_at_stage(project, Stage.SURVEY)
    login(client, "district")
    url = reverse("projects:decision_create", args=[household.pk])
    stage_reason = "项目处于「调查登记」阶段，作出补偿决定须在「补偿决定」阶段办理。"

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "办理条件" in html and stage_reason in html
    assert 'name="number"' not in html  # no form to fill in
    # The way back is the one the household's own page gives: 首页 / 征收项目 / the project /
    # 被征收户 / the household.
    crumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert [
        reverse("core:home"),
        reverse("projects:project_list"),
        project.get_absolute_url(),
        reverse("projects:household_list", args=[project.pk]),
        household.get_absolute_url(),
    ] == re.findall(r'href="([^"]+)"', crumbs)

    response = client.post(url, {"number": "", "decided_on": "not a date"})
    assert response.status_code == 409
    assert _errors(response.content.decode())[0] == stage_reason
    assert "请输入" not in response.content.decode()
    assert not household.compensation_decisions.exists()


def test_a_leader_overrides_from_the_panel_and_comes_back_to_the_form(client, project):
    household = HouseholdFactory(project=project)
    put_at_stage(project, Stage.SURVEY)
    staff(Section.LEADER, username="boss", name="钱领导")
    login(client, "boss")
    url = reverse("projects:decision_create", args=[household.pk])

    html = client.get(url).content.decode()
    assert "越过办理条件" in html and f'name="next" value="{url}"' in html
    response = client.post(
        reverse("projects:gate_override", args=[project.pk]),
        {
            "action": "decision.record",
            "household": household.pk,
            "reason": "区政府专题会议决定先行作出补偿决定",
            "next": url,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    assert GateOverride.objects.get().reason == "区政府专题会议决定先行作出补偿决定"
    html = client.get(url).content.decode()
    assert 'name="number"' in html  # the override waits: the form is there


def test_others_see_the_reason_without_the_override(client, project, district_member):
    household = HouseholdFactory(project=project)
    login(client, "district")
    html = client.get(reverse("projects:decision_create", args=[household.pk])).content.decode()
    assert "作出补偿决定须在「补偿决定」阶段办理" in html
    assert "越过办理条件" not in html


# --- 3. valuations at the wrong stage say which stage and what is missing ------------------


def test_the_valuation_page_at_the_survey_names_the_stage_and_the_missing_commission(
    client, project, district_member
):
    household = HouseholdFactory(project=project)
    put_at_stage(project, Stage.SURVEY)
    login(client, "district")
    url = reverse("appraisers:valuation_create", args=[household.pk])
    reasons = [
        "项目处于「调查登记」阶段，录入分户评估报告须在「评估」阶段办理。",
        "本项目尚未委托评估机构（签订委托合同），不能录入评估报告。",
    ]

    page = client.get(url)
    assert page.status_code == 200  # no silent redirect
    assert _errors(page.content.decode()) == reasons

    response = client.post(url, {"report_number": "PG-1"})
    assert response.status_code == 409
    assert _errors(response.content.decode()) == reasons
    assert not Valuation.objects.exists()


def test_an_outsider_gets_no_gate_panel_but_the_refusal(client, project, outsider):
    household = HouseholdFactory(project=project)
    login(client, "outsider")
    response = client.get(reverse("appraisers:valuation_create", args=[household.pk]))
    assert response.status_code == 404


def test_the_plan_form_at_the_decision_stage_shows_the_stage_reason(
    client, project, district_member
):
    put_at_stage(project, Stage.DECISION)
    login(client, "district")
    url = reverse("projects:plan_submit", args=[project.pk])
    reason = (
        "项目处于「征收决定」阶段，提交补偿方案须在"
        "「立项启动」、「调查登记」、「补偿方案」阶段办理。"
    )
    page = client.get(url)
    assert page.status_code == 200
    assert _errors(page.content.decode()) == [reason]
    response = client.post(url, {})
    assert response.status_code == 409
    assert _errors(response.content.decode()) == [reason]
    assert not project.plans.exists()
