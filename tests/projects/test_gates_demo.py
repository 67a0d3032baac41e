"""The demo data obeys projects.gates' table, and on it every action at the wrong stage is
refused on the page with the Chinese reason."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import User
from projects import gates, services
from projects.models import Household, Notice, Project, Stage

pytestmark = pytest.mark.django_db

# "Signed" is what the demo recorded; the check that it is not signed yet is the one that
# cannot hold afterwards.
AFTER_THE_FACT = {"该户处于「"}


def _signing_entered(project: Project) -> date | None:
    change = project.stage_changes.filter(to_stage=Stage.SIGNING).first()
    return timezone.localdate(change.changed_at) if change else None


def test_no_demo_household_is_signed_before_its_project_reached_signing(demo_data):
    projects = list(Project.objects.all())
    assert len(projects) == 11
    for project in projects:
        signed = project.households.filter(signed_on__isnull=False)
        if project.stage_enum.position < Stage.SIGNING.position:
            assert not signed.exists(), project.name
            continue
        entered = _signing_entered(project)
        assert not signed.filter(signed_on__lt=entered).exists(), project.name


def test_every_demo_signing_had_what_the_table_asks_on_its_day(demo_data):
    """For a sample of each project's signed households: the stage of the signing day, the plan,
    the decision, the valuation past its 二榜 and the agreement were all on file."""
    for project in Project.objects.filter(stage__in=[Stage.SIGNING, Stage.ENFORCEMENT]):
        for household in project.households.filter(signed_on__isnull=False).order_by("code")[:5]:
            missing = gates.blockers(
                "household.sign", project=project, household=household, today=household.signed_on
            )
            assert [m for m in missing if not m.startswith(tuple(AFTER_THE_FACT))] == [], (
                project.name,
                household.code,
            )


def test_on_the_demo_signing_before_signing_is_refused_on_the_page(demo_data, client):
    client.force_login(User.objects.get(username="beita"))
    project = Project.objects.get(code="2022-BT-C12")  # in the survey
    household = project.households.order_by("code").first()
    page = client.get(household.get_absolute_url()).content.decode()
    assert (
        "项目处于「调查登记」阶段，签订补偿协议（签约）须在「签约」、「补偿决定」阶段办理。" in page
    )
    response = client.post(
        reverse("projects:household_sign", args=[household.pk]),
        {"signed_on": "2022-12-01", "method": "monetary"},
        follow=True,
    )
    assert "签订补偿协议（签约）须在「签约」、「补偿决定」阶段办理" in response.content.decode()
    household.refresh_from_db()
    assert not household.is_signed


def test_the_demos_closed_fund_met_the_table(demo_data):
    archived = Project.objects.get(stage=Stage.ARCHIVED)
    assert archived.final_account.is_approved
    assert archived.fund.balance == 0
    assert gates.blockers("final_account.approve", project=archived) == []


@pytest.mark.parametrize(
    "code", ["2022-BT-C12", "2022-JK-01", "2020-SQ-02", "2021-DX-02", "2018-SQ-01"]
)
def test_on_the_demo_a_decision_notice_outside_the_decision_stage_is_refused_on_the_page(
    demo_data, client, code
):
    project = Project.objects.get(code=code)
    assert project.stage != Stage.DECISION
    operations = User.objects.get(username="operations")
    notice = services.draft_notice(
        project=project,
        by=operations,
        kind=Notice.Kind.DECISION,
        title="征收决定公告（重复）",
        body="正文",
    )
    # A leader's sign-off (签发) first: then only the stage stands between 业务科 and publishing.
    services.sign_off_notice(notice=notice, by=User.objects.get(username="leader"))
    client.force_login(operations)
    response = client.post(reverse("projects:notice_publish", args=[notice.pk]), follow=True)
    html = response.content.decode()
    assert (
        f"项目处于「{project.stage_enum.label}」阶段，发布征收决定公告须在「征收决定」阶段办理。"
        in html
    )
    notice.refresh_from_db()
    assert not notice.is_published


@pytest.mark.parametrize("code", ["2022-BT-C12", "2020-SQ-02"])
def test_on_the_demo_a_compensation_decision_before_the_decision_stage_is_refused(
    demo_data, client, code
):
    project = Project.objects.get(code=code)
    household = project.households.filter(signed_on__isnull=True).order_by("code").first()
    client.force_login(User.objects.get(username="operations"))
    response = client.post(
        reverse("projects:decision_create", args=[household.pk]),
        {
            "number": "测试补字1号",
            "decided_on": "2022-12-01",
            "amount": "1.00",
            "amount_reason": "测试",
        },
        follow=True,
    )
    assert "作出补偿决定须在「补偿决定」阶段办理" in response.content.decode()
    assert not household.compensation_decisions.exists()


@pytest.mark.parametrize("code", ["2020-SQ-02", "2022-BT-C12"])
def test_on_the_demo_closing_a_fund_before_the_end_is_refused_on_the_page(demo_data, client, code):
    project = Project.objects.get(code=code)
    client.force_login(User.objects.get(username="leader"))
    response = client.post(reverse("compensation:final_approve", args=[project.pk]), follow=True)
    html = response.content.decode()
    assert "审定决算并封账须在「补偿决定」、「完成归档」阶段办理" in html or "尚未编制决算" in html
    assert not project.__class__.objects.filter(
        pk=project.pk, final_account__status="approved"
    ).exists()


def test_every_demo_household_page_says_what_it_may_do(demo_data, client):
    client.force_login(User.objects.get(username="operations"))
    for project in Project.objects.all():
        household = project.households.order_by("code").first()
        html = client.get(household.get_absolute_url()).content.decode()
        assert "办理条件" in html
        if project.stage_enum not in gates.RULES["household.sign"].stages:
            assert f"项目处于「{project.stage_enum.label}」阶段" in html, project.name
    assert Household.objects.exists()
