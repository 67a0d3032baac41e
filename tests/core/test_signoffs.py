"""Who may act, cell by cell: every (action × role) of the sign-off rules and the money rules,
and the review chains through the pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import permissions, signoffs
from core.models import Notification, SignOff
from core.roles import Section
from projects import services
from projects.models import Approval, CompensationPlan, Notice
from tests.auth import login
from tests.factories import district_user, reviewers, staff

pytestmark = pytest.mark.django_db

ROLES = ["计划财务科", "法规科", "人事秘书科", "业务科", "领导", "本区县", "外区县"]
F, L, S, OP, LD, D, X = ROLES

PLAN = {
    "valuation_basis": "市场评估价",
    "relocation_allowance": Decimal("1000"),
    "temporary_rate": Decimal("12"),
    "temporary_months": 24,
    "document": "plans/test.pdf",
}


@pytest.fixture
def people(district, other_district):
    by_section = {
        section: staff(section, username=f"role-{section.name.lower()}") for section in Section
    }
    return {
        F: by_section[Section.FINANCE],
        L: by_section[Section.LEGAL],
        S: by_section[Section.SECRETARIAT],
        OP: by_section[Section.OPERATIONS],
        LD: by_section[Section.LEADER],
        D: district_user(district, username="role-district"),
        X: district_user(other_district, username="role-outsider"),
    }


def _plan(project, people, passed: int = 0):
    plan = services.submit_plan(project=project, by=people[D], **PLAN)
    # Earlier steps signed by people outside the table, so the table's own users are fresh.
    signers = reviewers()
    for section in (Section.OPERATIONS, Section.LEGAL)[:passed]:
        plan = services.approve_plan(plan=plan, by=signers[section])
    return plan


def _notice(project, people, kind=Notice.Kind.FIRST_LIST, signed=False):
    notice = services.draft_notice(
        project=project, by=people[D], kind=kind, title="公告", body="正文", period_days=0
    )
    if signed:
        services.sign_off_notice(notice=notice, by=reviewers()[Section.LEADER])
    return notice


def _approval(project, people):
    return services.record_approval(
        project=project, by=people[D], kind=Approval.Kind.PROJECT, number="批复1号",
        issued_on=date(2022, 1, 10),
    )  # fmt: skip


# (action, permission, how to make the object, who may act)
TABLE = [
    ("submit plan", "projects.submit_plan", lambda p, pp: p, {D}),
    ("plan: 业务科审核", "projects.review_plan", lambda p, pp: _plan(p, pp), {OP}),
    ("plan: 法规科审查", "projects.review_plan", lambda p, pp: _plan(p, pp, 1), {L}),
    ("plan: 领导批准", "projects.review_plan", lambda p, pp: _plan(p, pp, 2), {LD}),
    ("notice: 领导签发", "projects.sign_off_notice", lambda p, pp: _notice(p, pp), {LD}),
    ("notice: publish before sign-off", "projects.publish_notice", _notice, set()),
    (
        "一榜: publish",
        "projects.publish_notice",
        lambda p, pp: _notice(p, pp, signed=True),
        {OP},
    ),
    (
        "补偿决定公告: publish",
        "projects.publish_notice",
        lambda p, pp: _notice(p, pp, Notice.Kind.COMPENSATION_DECISION, signed=True),
        {L},
    ),
    (
        "困难补助公示: publish",
        "projects.publish_notice",
        lambda p, pp: _notice(p, pp, Notice.Kind.HARDSHIP, signed=True),
        {F},
    ),
    ("notice: return", "projects.return_notice", lambda p, pp: _notice(p, pp), {LD}),
    ("approval: verify", "projects.verify_approval", _approval, {OP}),
    ("edit project", "projects.edit_project", lambda p, pp: p, {F, L, S, OP, LD, D}),
    ("money: request payment", "compensation.keep_fund", lambda p, pp: None, {F}),
    ("money: approve payment", "compensation.approve_payment", lambda p, pp: None, {LD}),
    ("final accounts: approve", "compensation.approve_accounts", lambda p, pp: None, {LD}),
    ("agreement: review", "compensation.review_agreement", lambda p, pp: None, {L, LD}),
    (
        "swap difference: supplement",
        "compensation.settle_swap_supplement",
        lambda p, pp: None,
        {OP, L, LD},
    ),
    ("credit list: publish", "appraisers.publish_credit_list", lambda p, pp: None, {LD}),
    ("budget figures: edit", "budget.edit_figures", lambda p, pp: None, {F, LD}),
    ("stock: edit", "resettlement.edit_stock", lambda p, pp: None, {F, L, S, OP, LD}),
    ("flats: freeze for a project", "resettlement.freeze_flats", lambda p, pp: p, {LD}),
    ("selection day: call and pick", "resettlement.run_selection", lambda p, pp: p, {OP, LD, D}),
    ("selection window: extend", "resettlement.extend_window", lambda p, pp: p, {LD}),
]


@pytest.mark.parametrize(
    ("action", "permission", "make", "allowed"), TABLE, ids=[row[0] for row in TABLE]
)
def test_who_may_act(action, permission, make, allowed, project, people):
    obj = make(project, people)
    table = {role: permissions.allowed(people[role], permission, obj) for role in ROLES}
    assert table == {role: role in allowed for role in ROLES}, action


def test_every_permission_of_the_rule_set_is_in_the_table():
    assert {row[1] for row in TABLE} >= set(permissions.PERMISSIONS) - {
        "projects.office_work",
        "petitions.leader_decision",
    }


def test_the_secretariat_cannot_approve_a_plan_publish_a_notice_or_verify_an_approval(
    project, people
):
    plan = _plan(project, people)
    notice = _notice(project, people, signed=True)
    approval = _approval(project, people)
    secretariat = people[S]

    with pytest.raises(PermissionDenied, match="待业务科办理"):
        services.approve_plan(plan=plan, by=secretariat)
    with pytest.raises(PermissionDenied, match="待业务科办理"):
        services.publish_notice(notice=notice, by=secretariat)
    with pytest.raises(PermissionDenied, match="待业务科办理"):
        services.verify_approval(approval=approval, by=secretariat)

    plan.refresh_from_db()
    notice.refresh_from_db()
    approval.refresh_from_db()
    assert plan.status == CompensationPlan.Status.SUBMITTED
    assert not notice.is_published
    assert not approval.is_verified


def test_one_person_signs_only_one_step_of_a_round(project, people):
    both = staff(Section.OPERATIONS, username="ops-and-legal")
    both.groups.add(people[L].groups.get())
    plan = services.approve_plan(plan=_plan(project, people), by=both)
    both = type(both).objects.get(pk=both.pk)  # sections are read once per request

    with pytest.raises(PermissionDenied, match="同一人不能签署两个步骤"):
        services.approve_plan(plan=plan, by=both)
    assert signoffs.signoff_for(plan).section == Section.LEGAL


def test_a_return_goes_to_the_district_with_its_comment_and_a_resubmission_starts_over(
    project, people
):
    approval = _approval(project, people)
    services.return_approval(approval=approval, by=people[OP], comment="扫描件不清晰。")

    signoff = signoffs.signoff_for(approval)
    assert signoff.state == SignOff.State.RETURNED
    assert list(SignOff.objects.returned_to(people[D])) == [signoff]
    assert not SignOff.objects.returned_to(people[X]).exists()
    district_note = Notification.objects.get(recipient=people[D], kind="returned")
    assert "扫描件不清晰。" in district_note.text

    services.record_approval(
        project=project, by=people[D], kind=Approval.Kind.PROJECT, number="批复1号",
        issued_on=date(2022, 1, 10),
    )  # fmt: skip
    signoff.refresh_from_db()
    assert signoff.state == SignOff.State.PENDING
    assert [row.action for row in signoffs.record(signoff)] == ["submit", "return", "resubmit"]
    services.verify_approval(approval=approval, by=people[OP])
    approval.refresh_from_db()
    assert approval.verified_by == people[OP]


def test_a_leader_returns_a_district_draft_notice_and_the_district_sees_why(
    client, project, people
):
    notice = _notice(project, people)
    login(client, people[LD].username)
    client.post(
        reverse("projects:notice_return", args=[notice.pk]),
        {"return-comment": "公示期应为7日。"},
    )
    client.logout()

    login(client, people[D].username)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "公示期应为7日。" in page
    assert "修改并重新提交" in page
    response = client.post(
        reverse("projects:notice_edit", args=[notice.pk]),
        {"kind": notice.kind, "title": "一榜公示", "body": "正文", "period_days": "7"},
        follow=True,
    )
    assert "已重新提交领导签发" in response.content.decode()
    assert signoffs.signoff_for(notice).state == SignOff.State.PENDING


def test_the_403_page_says_why_a_step_is_refused(client, project, people):
    plan = _plan(project, people)
    login(client, people[S].username)

    response = client.post(reverse("projects:plan_approve", args=[plan.pk]))

    assert response.status_code == 403
    assert "该事项当前待业务科办理（业务科审核），您无权办理。" in response.content.decode()
