from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compensation import services as compensation_services
from projects import legal, services
from projects.models import Notice, Stage, StageChange
from tests.auth import login
from tests.factories import HouseholdFactory, approve_plan_fully
from tests.projects.helpers import (
    PLAN_STANDARDS,
    advance_to,
    enforced_by_court,
    file_approvals,
    publish,
)

pytestmark = pytest.mark.django_db
START = date(2022, 3, 1)


def test_a_project_cannot_leave_initiation_without_its_approvals_and_start_notice(
    project, office_user
):
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=START)
    messages = " ".join(error.value.messages)
    assert "缺少审批手续：立项批复、规划许可、国土审批" in messages
    assert "尚未发布启动公告" in messages
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION


def test_unverified_approvals_hold_the_project_back(project, district_member, office_user):
    file_approvals(project, district_user=district_member, staff=office_user, verify=False)
    with pytest.raises(ValidationError) as error:
        publish(project, Notice.Kind.START, staff=office_user, on=START)
    assert "尚未经市征收办核查" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=START)
    assert "尚未经市征收办核查" in error.value.messages[0]


def test_advancing_records_who_and_when_and_the_start_date(project, district_member, office_user):
    file_approvals(project, district_user=district_member, staff=office_user)
    publish(project, Notice.Kind.START, staff=office_user, on=START)
    assert services.advance_stage(project=project, by=office_user, today=START) == Stage.SURVEY
    project.refresh_from_db()
    assert project.started_on == START
    change = StageChange.objects.filter(project=project).latest("changed_at")
    assert (change.from_stage, change.to_stage) == (Stage.INITIATION, Stage.SURVEY)
    assert change.changed_by == office_user


def test_the_first_list_must_have_run_its_period(project, district_member, office_user):
    advance_to(project, Stage.SURVEY, district_user=district_member, staff=office_user, start=START)
    HouseholdFactory(project=project)
    # A posting period counts calendar days (no law makes it working days): from Tuesday
    # 1 March 2022, Wednesday 2 March is the first; the seventh is Tuesday 8 March.
    notice = publish(project, Notice.Kind.FIRST_LIST, staff=office_user, on=START, period_days=7)
    assert notice.ends_on == date(2022, 3, 8)
    assert "自2022年3月1日次日起算7日，至2022年3月8日" in notice.period_explanation
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=date(2022, 3, 8))
    assert "一榜公示公示期至2022年3月8日，尚未届满" in error.value.messages[0]
    services.advance_stage(project=project, by=office_user, today=date(2022, 3, 9))


def test_no_decision_before_an_approved_plan_whose_30_day_comment_period_has_ended(
    project, district_member, office_user
):
    today = advance_to(
        project, Stage.PLAN, district_user=district_member, staff=office_user, start=START
    )
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=today)
    assert "补偿方案尚未经市征收办批准" in " ".join(error.value.messages)

    legal.record_risk_assessment(
        project=project,
        by=district_member,
        assessed_on=today,
        households_surveyed=40,
        households_opposed=1,
    )
    plan = services.submit_plan(project=project, by=district_member, **PLAN_STANDARDS)
    approve_plan_fully(plan)
    # A comment period shorter than the law's 30 days does not count.
    publish(project, Notice.Kind.PLAN_COMMENT, staff=office_user, on=today, period_days=20)
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=today + timedelta(days=40))
    assert "征求意见期不少于30日" in " ".join(error.value.messages)

    notice = publish(project, Notice.Kind.PLAN_COMMENT, staff=office_user, on=today, period_days=30)
    assert notice.ends_on >= today + timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=notice.ends_on)
    assert "尚未届满" in " ".join(error.value.messages)
    day_after = notice.ends_on + timedelta(days=1)
    stage = services.advance_stage(project=project, by=office_user, today=day_after)
    assert stage == Stage.DECISION


def test_archiving_needs_every_household_settled_and_sets_the_completion_date(
    project, district_member, office_user
):
    today = advance_to(
        project, Stage.ENFORCEMENT, district_user=district_member, staff=office_user, start=START
    )
    household = project.households.get()
    with pytest.raises(ValidationError) as error:
        services.advance_stage(project=project, by=office_user, today=today)
    assert "尚有1户未签约" in error.value.messages[0]
    compensation_services.draft_agreements(
        household=household, by=district_member, method="monetary"
    )
    services.sign_household(
        household=household, by=district_member, signed_on=today, method="monetary"
    )
    assert services.advance_stage(project=project, by=office_user, today=today) == Stage.ARCHIVED
    project.refresh_from_db()
    assert project.completed_on == today
    with pytest.raises(ValidationError):
        services.advance_stage(project=project, by=office_user, today=today)


@pytest.mark.parametrize("carried_out", ["moved_out", "enforced"])
def test_a_decided_household_holds_the_archive_until_its_decision_is_carried_out(
    client, project, district_member, office_user, carried_out
):
    """A decision still open (its windows running) settles nothing; the household moving out
    under it, or the court enforcing it, does (条例 第二十七、二十八条)."""
    today = advance_to(
        project, Stage.ENFORCEMENT, district_user=district_member, staff=office_user, start=START
    )
    household = project.households.get()
    compensation_services.draft_agreements(
        household=household, by=district_member, method="monetary"
    )
    decision = legal.record_compensation_decision(
        household=household, by=district_member, number="征补字〔2022〕9号", decided_on=today
    )
    login(client, "clerk")
    advance = reverse("projects:project_advance", args=[project.pk])
    page = client.post(advance, {"note": "归档"}, follow=True).content.decode()
    assert "尚有1户未签约、未搬迁，也无经法院强制执行的补偿决定。" in page
    project.refresh_from_db()
    assert project.stage == Stage.ENFORCEMENT

    if carried_out == "moved_out":
        services.update_household(household=household, by=district_member, moved_out_on=today)
    else:
        enforced_by_court(decision, by=district_member, on=today)
    page = client.post(advance, {"note": "归档"}, follow=True).content.decode()
    assert "尚有1户" not in page
    project.refresh_from_db()
    assert project.stage == Stage.ARCHIVED


def test_district_users_cannot_advance_a_stage(project, district_member):
    with pytest.raises(PermissionDenied):
        services.advance_stage(project=project, by=district_member, today=START)


def test_the_project_page_shows_what_is_missing_and_advances_when_complete(
    client, project, district_member, office_user
):
    login(client, "clerk")
    html = client.get(project.get_absolute_url()).content.decode()
    assert "进入“调查登记”阶段前还需" in html
    assert "尚未发布启动公告" in html

    file_approvals(project, district_user=district_member, staff=office_user)
    publish(project, Notice.Kind.START, staff=office_user, on=START)
    response = client.post(
        reverse("projects:project_advance", args=[project.pk]), {"note": "材料齐全"}, follow=True
    )
    html = response.content.decode()
    assert "项目已进入“调查登记”阶段" in html
    assert "材料齐全" in html


def test_a_refused_advance_shows_the_reasons_on_the_page(client, project, office_user):
    login(client, "clerk")
    response = client.post(reverse("projects:project_advance", args=[project.pk]), follow=True)
    assert response.status_code == 200
    assert "缺少审批手续" in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION


def test_a_district_user_gets_403_when_posting_an_advance(client, project, district_member):
    login(client, "district")
    response = client.post(reverse("projects:project_advance", args=[project.pk]))
    assert response.status_code == 403


def test_the_plan_check_asks_whether_an_approved_plan_exists_without_reading_the_plans(
    project, district_member, office_user
):
    """A service's gate (e.g. every disbursement's) asks one EXISTS; a page that prefetched
    the plans asks nothing; both give the same answer before and after approval."""
    from django.db import connection
    from django.db.models import Prefetch
    from django.test.utils import CaptureQueriesContext

    from projects import stages
    from projects.models import CompensationPlan, Project

    today = advance_to(
        project, Stage.PLAN, district_user=district_member, staff=office_user, start=START
    )
    plan = services.submit_plan(project=project, by=district_member, **PLAN_STANDARDS)
    refused = "补偿方案尚未经市征收办批准。"
    for approved, expected in ((False, refused), (True, None)):
        if approved:
            approve_plan_fully(plan)
        fresh = Project.objects.get(pk=project.pk)
        with CaptureQueriesContext(connection) as queries:
            assert stages.plan_approved(fresh, today) == expected
        [query] = queries
        assert query["sql"].startswith("SELECT 1 AS") and "LIMIT 1" in query["sql"]
        prefetched = Project.objects.prefetch_related(
            Prefetch("plans", queryset=CompensationPlan.objects.all())
        ).get(pk=project.pk)
        with CaptureQueriesContext(connection) as queries:
            assert stages.plan_approved(prefetched, today) == expected
        assert len(queries) == 0
