import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.roles import Section
from projects import digest, legal, safety, services
from projects.models import Hazard, Notice, Stage
from tests.auth import login
from tests.compensation.factories import ready_for_decision
from tests.factories import (
    HouseholdFactory,
    announce,
    approve_plan_fully,
    put_at_stage,
    staff,
)
from tests.projects.helpers import PLAN_STANDARDS, advance_to, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(project):
    """An unsigned household of a project in 补偿决定, valued and with its breakdown."""
    return ready_for_decision(project, code="A-012", head_name="钱某某")


@pytest.fixture
def surveyed(project):
    """A household of a project in 调查登记, where the 一榜 is posted."""
    put_at_stage(project, Stage.SURVEY)
    return HouseholdFactory(project=project, code="A-013", head_name="孙某某")


def decide(household, by, *, decided_on, served_on=None):
    decision = legal.record_compensation_decision(
        household=household,
        by=by,
        number="双政征补字〔2022〕3号",
        decided_on=decided_on,
    )
    if served_on:
        decision = legal.serve_decision(decision=decision, by=by, served_on=served_on)
    return decision


def _history_rows(html: str) -> list[list[str]]:
    """(时间, 操作人, 操作, 对象, 变更内容) of each row of a page's history table."""
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r'<tr class="history-entry">(.*?)</tr>', html, re.S)
    ]


def test_a_decision_recorded_outside_a_request_names_who_recorded_it_in_its_history(
    client, household, district_member, office_user
):
    # As the demo loader and the commands do: the services' `by`, no request's user.
    decide(household, district_member, decided_on=date(2022, 8, 1), served_on=date(2022, 8, 2))
    login(client, "clerk")
    html = client.get(household.get_absolute_url()).content.decode()
    rows = [row for row in _history_rows(html) if row[3].startswith("补偿决定")]
    assert [row[2] for row in rows] == ["修改", "新增"]  # served, then recorded
    assert {row[1] for row in rows} == {district_member.get_full_name()}


def test_the_demo_decisions_and_their_steps_name_who_recorded_them(demo_data):
    from projects.models import CompensationDecision, EnforcementApplication, EnforcementWarning

    for model in (CompensationDecision, EnforcementWarning, EnforcementApplication):
        rows = model.history.all()
        assert rows.exists(), model
        assert not rows.filter(history_user__isnull=True).exists(), model
    decision = CompensationDecision.objects.get(number="双政征补字〔2022〕5号")
    assert decision.history.earliest("history_date").history_user == decision.recorded_by
    assert decision.recorded_by.district_id == decision.household.project.district_id


# --- the windows, worked out by hand -------------------------------------------------


def test_the_windows_after_a_decision_served_on_2_august_2022(household, district_member):
    decision = decide(
        household, district_member, decided_on=date(2022, 8, 1), served_on=date(2022, 8, 2)
    )
    # 60 days from 2 August end on Saturday 1 October, inside the National Day holiday;
    # the next working day is the make-up Saturday 8 October.
    assert legal.reconsideration_window(decision).due == date(2022, 10, 8)
    # Six months from 2 August 2022: Thursday 2 February 2023, a working day.
    assert legal.suit_window(decision).due == date(2023, 2, 2)
    # Three months after that: 2 May 2023 falls in the Labour Day holiday → Thursday 4 May.
    window = legal.application_window(decision)
    assert window.due == date(2023, 5, 4)
    assert any("顺延" in line for line in window.explanation)


def test_after_a_reconsideration_decision_the_suit_window_is_15_days(household, district_member):
    decision = decide(
        household, district_member, decided_on=date(2022, 8, 1), served_on=date(2022, 8, 2)
    )
    decision = legal.record_reconsideration(
        decision=decision,
        by=district_member,
        applied_on=date(2022, 9, 1),
        decided_on=date(2022, 11, 1),
        outcome="upheld",
    )
    # 15 days from Tuesday 1 November 2022: Wednesday 16 November.
    assert legal.suit_window(decision).due == date(2022, 11, 16)
    assert legal.application_window(decision).due == date(2023, 2, 16)


def test_the_road_shows_where_the_household_stands(household, district_member, office_user):
    decision = decide(household, district_member, decided_on=date(2022, 8, 1))
    assert legal.road(decision, date(2022, 8, 1)).position == "待送达"
    decision = legal.serve_decision(
        decision=decision, by=district_member, served_on=date(2022, 8, 2)
    )

    assert legal.road(decision, date(2022, 9, 1)).position == "复议期内"
    assert legal.road(decision, date(2022, 12, 1)).position == "诉讼期内"
    waiting = legal.road(decision, date(2023, 2, 3))
    assert waiting.position == "待催告"
    assert waiting.next_deadline.due == date(2023, 5, 4)

    # The warning: 10 days or fewer count working days, from Friday 3 February 2023.
    announce(decision, by=office_user, on=date(2022, 8, 3))
    legal.serve_warning(decision=decision, by=district_member, served_on=date(2023, 2, 3))
    decision.refresh_from_db()
    during = legal.road(decision, date(2023, 2, 10))
    assert during.position == "催告期内"
    assert during.next_deadline.due == date(2023, 2, 17)
    assert legal.road(decision, date(2023, 2, 20)).may_apply
    assert legal.road(decision, date(2023, 5, 5)).is_overdue


def test_a_warning_cannot_be_served_while_the_household_may_still_go_to_court(
    household, district_member
):
    decision = decide(
        household, district_member, decided_on=date(2022, 8, 1), served_on=date(2022, 8, 2)
    )
    with pytest.raises(ValidationError) as error:
        legal.serve_warning(decision=decision, by=district_member, served_on=date(2022, 12, 1))
    assert "复议、诉讼期限届满后方可催告" in error.value.messages[0]


def test_the_enforcement_application_needs_the_warning_period_and_every_document(
    household, district_member, office_user
):
    decision = decide(
        household, district_member, decided_on=date(2022, 8, 1), served_on=date(2022, 8, 2)
    )
    announce(decision, by=office_user, on=date(2022, 8, 3))
    legal.serve_warning(decision=decision, by=district_member, served_on=date(2023, 2, 3))
    decision.refresh_from_db()
    complete = dict.fromkeys(legal.CHECKLIST, True)
    with pytest.raises(ValidationError) as error:
        legal.file_enforcement_application(
            decision=decision,
            by=office_user,
            filed_on=date(2023, 2, 10),
            court="双清区人民法院",
            **complete,
        )
    assert "催告期内" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        legal.file_enforcement_application(
            decision=decision,
            by=office_user,
            filed_on=date(2023, 2, 20),
            court="双清区人民法院",
            **{**complete, "has_service_proof": False},
        )
    assert "申请材料不全：附送达回证" in error.value.messages[0]
    with pytest.raises(PermissionDenied):
        legal.file_enforcement_application(
            decision=decision,
            by=district_member,
            filed_on=date(2023, 2, 20),
            court="法院",
            **complete,
        )
    application = legal.file_enforcement_application(
        decision=decision,
        by=office_user,
        filed_on=date(2023, 2, 20),
        court="双清区人民法院",
        **complete,
    )
    decision.refresh_from_db()
    assert legal.road(decision, date(2023, 3, 1)).position == "已申请强制执行"
    assert application.has_compensation_proof


def test_only_a_decision_the_court_was_applied_to_closes_as_enforced(
    client, household, district_member, office_user
):
    """已强制执行 settles the household for the archive stage and the final accounts: a decision
    still in its reconsideration window, never taken to court, is not closed so (条例 第二十八条),
    nor one the court refused, nor on a day before the application or after today."""
    decision = decide(
        household, district_member, decided_on=date(2022, 8, 1), served_on=date(2022, 8, 2)
    )
    staff(Section.LEGAL, username="lawyer")
    login(client, "lawyer")
    url = reverse("projects:decision_close", args=[decision.pk])
    page = client.post(
        url, {"closed_on": "2022-08-10", "closure": "enforced"}, follow=True
    ).content.decode()
    assert "尚未申请人民法院强制执行，不能以“已强制执行”办结。" in page
    decision.refresh_from_db()
    assert not decision.closed_on

    announce(decision, by=office_user, on=date(2022, 8, 3))
    legal.serve_warning(decision=decision, by=district_member, served_on=date(2023, 2, 3))
    decision.refresh_from_db()
    application = legal.file_enforcement_application(
        decision=decision,
        by=office_user,
        filed_on=date(2023, 2, 20),
        court="双清区人民法院",
        **dict.fromkeys(legal.CHECKLIST, True),
    )
    for closed_on, message in [
        (date(2023, 2, 19), "办结日期不能早于申请强制执行的日期。"),
        (timezone.localdate() + timedelta(days=1), "办结日期不能晚于今天。"),
    ]:
        with pytest.raises(ValidationError) as error:
            legal.close_decision(
                decision=decision, by=office_user, closed_on=closed_on, closure="enforced"
            )
        assert error.value.messages == [message]
    application.ruling = application.Ruling.REFUSED
    application.save()
    with pytest.raises(ValidationError) as error:
        legal.close_decision(
            decision=decision, by=office_user, closed_on=date(2023, 4, 1), closure="enforced"
        )
    assert error.value.messages == ["人民法院已裁定不予执行，不能以“已强制执行”办结。"]

    application.ruling = application.Ruling.GRANTED
    application.save()
    page = client.post(
        url, {"closed_on": "2023-04-01", "closure": "enforced"}, follow=True
    ).content.decode()
    assert "补偿决定已办结。" in page
    decision.refresh_from_db()
    assert decision.closure == "enforced" and decision.closed_on == date(2023, 4, 1)


def test_a_signed_household_gets_no_decision_and_one_open_decision_at_a_time(
    household, district_member
):
    decide(household, district_member, decided_on=date(2022, 8, 1))
    with pytest.raises(ValidationError) as error:
        decide(household, district_member, decided_on=date(2022, 8, 2))
    assert error.value.messages[0].startswith("该户处于「已作出补偿决定」状态，作出补偿决定须在")
    signed = HouseholdFactory(project=household.project, signed_on=date(2022, 5, 1), method="swap")
    with pytest.raises(ValidationError):
        decide(signed, district_member, decided_on=date(2022, 8, 1))


# --- risk assessment and the stage guard -------------------------------------------------


def test_the_risk_level_follows_the_thresholds(settings):
    settings.RISK_MEDIUM_FROM_PERCENT = 10
    settings.RISK_HIGH_FROM_PERCENT = 30
    assert legal.risk_level(surveyed=100, opposed=9) == "low"
    assert legal.risk_level(surveyed=100, opposed=10) == "medium"
    assert legal.risk_level(surveyed=100, opposed=30) == "high"


def test_no_decision_stage_without_an_acceptable_risk_assessment(
    project, district_member, office_user
):
    today = advance_to(
        project,
        Stage.PLAN,
        district_user=district_member,
        staff=office_user,
        start=date(2022, 3, 1),
    )
    plan = services.submit_plan(project=project, by=district_member, **PLAN_STANDARDS)
    approve_plan_fully(plan)
    notice = publish(project, Notice.Kind.PLAN_COMMENT, staff=office_user, on=today, period_days=30)
    after = notice.ends_on + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=after)
    assert "尚未完成社会稳定风险评估" in " ".join(error.value.messages)

    legal.record_risk_assessment(
        project=project,
        by=district_member,
        assessed_on=today,
        households_surveyed=50,
        households_opposed=20,
    )
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=after)
    assert "高风险（反对率40.0%）" in " ".join(error.value.messages)

    legal.record_risk_assessment(
        project=project,
        by=district_member,
        assessed_on=after,
        households_surveyed=50,
        households_opposed=2,
    )
    assert services.advance_stage(project=project, by=office_user, today=after) == Stage.DECISION


# --- objections ------------------------------------------------------------------------


def test_objections_are_taken_only_inside_the_posting_period(
    project, surveyed, district_member, office_user
):
    notice = publish(
        project, Notice.Kind.FIRST_LIST, staff=office_user, on=date(2022, 3, 1), period_days=7
    )
    # A posting period counts calendar days (no law makes it working days): 7 days from
    # Tuesday 2022-03-01 end on Tuesday 03-08.
    assert notice.ends_on == date(2022, 3, 8)
    assert notice.period_explanation.startswith("依据公告载明的公示期")
    for day in (date(2022, 2, 28), date(2022, 3, 9)):
        with pytest.raises(ValidationError) as error:
            legal.raise_objection(
                notice=notice,
                household=surveyed,
                by=district_member,
                raised_on=day,
                content="面积有误",
            )
        assert "异议须在公示期内提出（2022年3月1日至2022年3月8日）" in error.value.messages[0]
    # The list is on the wall from the posting day: that day and the last day are inside.
    for day in (date(2022, 3, 1), date(2022, 3, 8)):
        objection = legal.raise_objection(
            notice=notice,
            household=surveyed,
            by=district_member,
            raised_on=day,
            content="面积有误",
        )
    legal.answer_objection(
        objection=objection, by=office_user, answer="已复核更正", answered_on=date(2022, 3, 14)
    )
    objection.refresh_from_db()
    assert objection.is_answered


def test_an_objection_dated_tomorrow_is_refused_on_the_page(
    client, project, surveyed, district_member, office_user
):
    today = timezone.localdate()
    notice = publish(project, Notice.Kind.FIRST_LIST, staff=office_user, on=today, period_days=7)
    login(client, "district")
    url = reverse("projects:objection_raise", args=[notice.pk])
    tomorrow = today + timedelta(days=1)
    response = client.post(
        url,
        {"household": surveyed.pk, "raised_on": tomorrow.isoformat(), "content": "面积登记有误"},
        follow=True,
    )
    assert "异议提出日期不能晚于今天。" in response.content.decode()
    assert not notice.objections.exists()
    # On the posting day itself it is taken.
    client.post(
        url, {"household": surveyed.pk, "raised_on": today.isoformat(), "content": "面积登记有误"}
    )
    assert notice.objections.get().raised_on == today


def test_objections_can_be_recorded_and_answered_on_the_page(
    client, project, surveyed, district_member, office_user
):
    today = timezone.localdate()
    notice = publish(
        project,
        Notice.Kind.FIRST_LIST,
        staff=office_user,
        on=today - timedelta(days=1),
        period_days=7,
    )
    login(client, "district")
    url = reverse("projects:objection_raise", args=[notice.pk])
    client.post(
        url, {"household": surveyed.pk, "raised_on": today.isoformat(), "content": "面积登记有误"}
    )
    response = client.get(reverse("projects:objection_list", args=[notice.pk]))
    assert "面积登记有误" in response.content.decode()
    assert "待答复" in response.content.decode()


# --- hazards -----------------------------------------------------------------------------


def test_the_hazard_list_is_exported_as_the_rectification_list(client, project, office_user):
    inspection = safety.create_inspection(
        by=office_user, name="2022年房屋征收拆除施工安全专项整治督查", started_on=date(2022, 6, 1)
    )
    hazard = safety.record_hazard(
        inspection=inspection,
        by=office_user,
        project=project,
        category=Hazard.Category.FENCING,
        place="六岭片区东侧",
        description="=围挡缺失",
        responsible_unit="双清区征收办",
        measures="补设围挡与警示标识",
        due_on=date(2022, 6, 15),
    )
    safety.update_hazard(
        hazard=hazard, by=office_user, status="rectified", rectified_on=date(2022, 6, 10)
    )
    login(client, "clerk")
    html = client.get(inspection.get_absolute_url()).content.decode()
    assert "排查出安全隐患 1 类 1 处，已整改 1 处" in html
    response = client.get(reverse("projects:hazard_export", args=[inspection.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "项目", "隐患类别", "隐患部位")
    assert rows[1][1:5] == ("六岭棚改", "围挡与警示标识", "六岭片区东侧", "=围挡缺失")
    assert sheet.cell(row=2, column=5).quotePrefix  # shown as text, never evaluated
    assert rows[1][8] == "已整改"


def test_a_hazard_marked_rectified_needs_its_date(project, office_user):
    inspection = safety.create_inspection(by=office_user, name="检查", started_on=date(2022, 6, 1))
    hazard = safety.record_hazard(
        inspection=inspection,
        by=office_user,
        project=project,
        category="fire",
        place="仓库",
        description="灭火器过期",
        responsible_unit="施工单位",
        measures="更换",
        due_on=date(2022, 6, 5),
    )
    with pytest.raises(ValidationError):
        safety.update_hazard(hazard=hazard, by=office_user, status="rectified")


# --- the deadlines page, the digest and permissions -----------------------------------------


def _served_recently(household, by):
    """Served 55 days ago: the 60-day reconsideration window closes within the next week."""
    today = timezone.localdate()
    return decide(
        household, by, decided_on=today - timedelta(days=56), served_on=today - timedelta(days=55)
    )


def test_the_deadlines_page_lists_the_reconsideration_window_with_its_explanation(
    client, household, district_member, office_user
):
    decision = _served_recently(household, district_member)
    login(client, "clerk")
    html = client.get(reverse("core:deadline_list")).content.decode()
    assert "行政复议期限" in html
    assert "A-012 钱某某" in html
    assert legal.reconsideration_window(decision).due.strftime("%Y-%m-%d") in html
    assert "节假日依据" in html


def test_the_digest_tells_the_liaison_once_a_day(household, district_member, office_user):
    project = household.project
    office_user.email = "clerk@example.org"
    office_user.save()
    services.update_project(project=project, by=office_user, liaison=office_user)
    decision = _served_recently(household, district_member)
    today = timezone.localdate()
    assert digest.send_all_digests(today=today) == 1
    assert digest.send_all_digests(today=today) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["clerk@example.org"]
    assert "征收工作期限提醒" in message.subject
    assert "行政复议期限：六岭棚改 A-012 钱某某" in message.body
    assert decision.get_absolute_url() in message.body


def test_the_home_page_shows_the_liaison_their_due_items(
    client, household, district_member, office_user
):
    services.update_project(project=household.project, by=office_user, liaison=office_user)
    _served_recently(household, district_member)
    login(client, "clerk")
    html = client.get(reverse("core:home")).content.decode()
    assert "我负责的项目近期到期事项" in html
    assert "A-012 钱某某" in html


def test_district_users_see_only_their_district_clocks_and_decisions(
    client, household, district_member, outsider, office_user
):
    decision = _served_recently(household, district_member)
    login(client, "outsider")
    assert "钱某某" not in client.get(reverse("core:deadline_list")).content.decode()
    for name in ["decision_detail", "decision_serve", "decision_close"]:
        assert client.get(reverse(f"projects:{name}", args=[decision.pk])).status_code in (404, 405)
    assert (
        client.get(reverse("projects:project_decisions", args=[household.project_id])).status_code
        == 404
    )
    assert client.get(reverse("projects:decision_create", args=[household.pk])).status_code == 404


def test_a_legal_clerk_records_service_on_the_page(client, household, district_member):
    staff(Section.LEGAL, username="lawyer")
    decision = decide(
        household, district_member, decided_on=timezone.localdate() - timedelta(days=3)
    )
    login(client, "lawyer")
    response = client.post(
        reverse("projects:decision_serve", args=[decision.pk]),
        {"served_on": (timezone.localdate() - timedelta(days=2)).isoformat()},
        follow=True,
    )
    html = response.content.decode()
    assert "已登记送达" in html
    assert "复议期内" in html
    assert "申请行政复议期限" in html


def test_anonymous_visitors_cannot_see_legal_pages(client, household):
    for url in [reverse("core:deadline_list"), reverse("projects:inspection_list")]:
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_the_decisions_page_shows_the_households_open_decision_not_the_one_revoked(
    client, household, district_member
):
    """A household whose first decision was revoked and a second one made: the project's list of
    decisions shows the open one. The query says where the open one (no closing day) sorts, so
    that SQLite (`make run`), which puts NULL first in an ascending order, shows it too."""
    revoked = decide(household, district_member, decided_on=date(2022, 8, 1))
    legal.close_decision(
        decision=revoked, by=district_member, closed_on=date(2022, 9, 1), closure="revoked"
    )
    legal.record_compensation_decision(
        household=household,
        by=district_member,
        number="双政征补字〔2022〕9号",
        decided_on=date(2022, 9, 5),
    )
    login(client, "district")

    with CaptureQueriesContext(connection) as captured:
        html = client.get(
            reverse("projects:project_decisions", args=[household.project_id])
        ).content.decode()

    assert "双政征补字〔2022〕9号" in html
    assert "双政征补字〔2022〕3号" not in html
    [decisions_sql] = [
        query["sql"]
        for query in captured
        if query["sql"].startswith('SELECT "projects_compensationdecision"."id"')
    ]
    assert '"projects_compensationdecision"."closed_on" ASC NULLS LAST' in decisions_sql
