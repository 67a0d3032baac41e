"""The table of what may be done when (projects.gates), cell by cell, through the services and
the pages; the leader's recorded override; the demo data obeys the table."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from compensation import services as compensation_services
from compensation.models import DisbursementRequest
from core.roles import Section
from projects import gates, legal, services
from projects.models import GateOverride, Household, Notice, Stage
from tests.auth import login
from tests.compensation.factories import (
    agreement_request,
    approved_agreement,
    finance,
    funded,
    leader,
    ready_for_decision,
    ready_to_sign,
)
from tests.factories import (
    HouseholdFactory,
    ProjectFactory,
    put_at_stage,
    sign_off_and_publish,
    signed_off,
    staff,
)
from tests.projects.helpers import enforced_by_court

pytestmark = pytest.mark.django_db

STAGES = list(Stage)


def test_every_check_the_table_names_is_registered():
    assert gates.unknown_checks() == set()


@pytest.mark.parametrize("stage", STAGES, ids=[s.value for s in STAGES])
@pytest.mark.parametrize("action", list(gates.RULES))
def test_each_action_is_refused_outside_its_stages_with_a_chinese_reason(action, stage, district):
    """Every (action × stage) cell of the table: the stage reason is there exactly when the
    stage is not one of the action's."""
    rule = gates.RULES[action]
    project = ProjectFactory(district=district, stage=stage) if rule.stages else None
    subject = {}
    if rule.subject == "household":
        subject["household"] = HouseholdFactory(project=project)
    if rule.subject == "credit_list":
        from appraisers.models import CreditList

        subject["obj"] = CreditList.objects.create(
            title="2022年第四季度", period_start=date(2022, 10, 1), period_end=date(2022, 12, 31)
        )
    missing = gates.blockers(action, project=project, **subject)
    stage_reasons = [m for m in missing if "阶段办理" in m]
    if rule.stages is None or stage in rule.stages:
        assert stage_reasons == []
    else:
        assert stage_reasons == [
            f"项目处于「{stage.label}」阶段，{rule.label}须在"
            + "、".join(f"「{s.label}」" for s in rule.stages)
            + "阶段办理。"
        ]


# --- through the services ------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES, ids=[s.value for s in STAGES])
def test_signing_is_taken_only_in_signing_and_the_decision_stage(stage, project, district_member):
    household = ready_to_sign(project)
    put_at_stage(project, stage)
    household.project.refresh_from_db()
    if stage in (Stage.SIGNING, Stage.ENFORCEMENT):
        services.sign_household(
            household=household, by=district_member, signed_on=date(2022, 6, 1), method="monetary"
        )
        household.refresh_from_db()
        assert household.is_signed
    else:
        with pytest.raises(ValidationError) as error:
            services.sign_household(
                household=household,
                by=district_member,
                signed_on=date(2022, 6, 1),
                method="monetary",
            )
        assert f"项目于2022年6月1日处于「{stage.label}」阶段" in error.value.messages[0]
        household.refresh_from_db()
        assert not household.is_signed


def test_signing_needs_the_plan_the_decision_the_valuation_past_the_second_list_and_an_agreement(
    project, district_member
):
    household = HouseholdFactory(project=project)
    project.stage = Stage.SIGNING
    project.save(update_fields=["stage"])
    with pytest.raises(ValidationError) as error:
        services.sign_household(
            household=household, by=district_member, signed_on=date(2022, 6, 1), method="swap"
        )
    assert error.value.messages == [
        "补偿方案尚未经市征收办批准。",
        "尚未发布征收决定公告。",
        "该户尚无分户评估报告。",
        "尚未发布二榜公示。",
        "该户尚未起草补偿协议。",
    ]


def test_signing_before_the_second_list_has_run_out_is_refused(project, district_member):
    household = ready_to_sign(project)  # its 二榜 ran from 1 to 11 April 2020
    with pytest.raises(ValidationError) as error:
        services.sign_household(
            household=household, by=district_member, signed_on=date(2020, 4, 11), method="swap"
        )
    assert error.value.messages == ["二榜公示公示期至2020年4月11日，尚未届满。"]
    services.sign_household(
        household=household, by=district_member, signed_on=date(2020, 4, 12), method="swap"
    )


NOTICE_STAGES = {
    kind: gates.RULES[gates._notice_action(kind)].stages for kind in Notice.Kind.values
}


@pytest.mark.parametrize("stage", STAGES, ids=[s.value for s in STAGES])
@pytest.mark.parametrize("kind", Notice.Kind.values)
def test_each_notice_kind_is_published_only_in_its_stages(kind, stage, project, office_user):
    project.stage = stage
    project.save(update_fields=["stage"])
    notice = services.draft_notice(
        project=project, by=office_user, kind=kind, title="公告", body="正文"
    )
    try:
        sign_off_and_publish(notice, on=date(2022, 5, 1))
    except ValidationError as error:
        published, messages = False, error.messages
    else:
        published, messages = True, []
    stage_refused = any("阶段办理" in m for m in messages)
    assert stage_refused == (stage not in NOTICE_STAGES[kind])
    if published:
        assert stage in NOTICE_STAGES[kind]
    notice.refresh_from_db()
    assert notice.is_published == published


def test_the_decision_announcement_needs_the_assessment_the_comment_period_and_the_money(
    project, office_user, district_member
):
    project.stage = Stage.DECISION
    project.save(update_fields=["stage"])
    notice = services.draft_notice(
        project=project,
        by=office_user,
        kind=Notice.Kind.DECISION,
        title="征收决定公告",
        body="正文",
    )
    with pytest.raises(ValidationError) as error:
        sign_off_and_publish(notice, on=date(2022, 5, 1))
    assert error.value.messages == [
        "补偿方案尚未经市征收办批准。",
        "补偿方案尚未公布征求意见（征求意见期不少于30日）。",
        "尚未完成社会稳定风险评估。",
        "补偿资金未到位：尚未开设项目资金账户（《国有土地上房屋征收与补偿条例》第十二条："
        "征收补偿费用应当足额到位、专户存储、专款专用）。",
    ]
    notice.refresh_from_db()
    assert not notice.is_published


def _closable(project):
    """A project in 补偿决定 whose one household signed and was paid in full."""
    household = ready_to_sign(project)
    agreement = approved_agreement(household)
    fund = funded(project, agreement.agreed_total)
    request = agreement_request(fund, agreement, agreement.agreed_total, by=finance())
    compensation_services.approve_disbursement(request=request, approved_by=leader())
    put_at_stage(project, Stage.ENFORCEMENT)
    compensation_services.save_final_account(project=project, by=finance(), note="决算")
    return fund


@pytest.mark.parametrize("stage", STAGES, ids=[s.value for s in STAGES])
def test_final_accounts_close_the_fund_only_once_the_project_is_settled(stage, project):
    _closable(project)
    put_at_stage(project, stage)
    if stage in (Stage.ENFORCEMENT, Stage.ARCHIVED):
        account = compensation_services.approve_final_account(project=project, by=leader())
        assert account.is_approved
    else:
        with pytest.raises(ValidationError) as error:
            compensation_services.approve_final_account(project=project, by=leader())
        assert f"项目处于「{stage.label}」阶段" in error.value.messages[0]


def test_closing_a_fund_needs_every_household_settled_subsidies_paid_and_a_zero_balance(
    project, district_member
):
    fund = _closable(project)
    HouseholdFactory(project=project)
    compensation_services.record_deposit(
        fund=fund,
        by=finance(),
        amount=Decimal("0.01"),
        source="other",
        voucher_number="PZ-X",
        received_on=date(2022, 6, 1),
    )
    compensation_services.request_disbursement(
        fund=fund,
        by=finance(),
        idempotency_key="left",
        amount=Decimal("0.01"),
        category="working",
        purpose="工作经费",
    )
    with pytest.raises(ValidationError) as error:
        compensation_services.approve_final_account(project=project, by=leader())
    assert error.value.messages == [
        "尚有1户未签约、未搬迁，也无经法院强制执行的补偿决定。",
        "尚有1笔待审批的划拨申请。",
        "资金账户余额为0.01元，须为零方可封账（结余资金须先退回）。",
    ]


def test_a_decision_still_in_its_windows_keeps_the_accounts_open(client, project):
    """The final accounts wait for every decision to be carried out: one just made may still be
    revoked on reconsideration or in court (条例 第二十六、二十八条)."""
    _closable(project)
    household = ready_for_decision(project, code="A-099")
    decision = legal.record_compensation_decision(
        household=household, by=staff(), number="征补字〔2022〕9号", decided_on=date(2022, 8, 1)
    )
    leader()
    login(client, "leader")
    approve = reverse("compensation:final_approve", args=[project.pk])
    page = client.post(approve, follow=True).content.decode()
    assert "尚有1户未签约、未搬迁，也无经法院强制执行的补偿决定。" in page
    enforced_by_court(decision, by=staff(), on=date(2022, 12, 1))
    page = client.post(approve, follow=True).content.decode()
    assert "决算已审定并冻结" in page
    project.final_account.refresh_from_db()
    assert project.final_account.is_approved


def _pay(fund, agreement, amount, key, *, approver):
    """Deposit `amount` and pay it to the agreement's household: the balance stays as it was."""
    compensation_services.record_deposit(
        fund=fund,
        by=finance(),
        amount=amount,
        source="fiscal",
        voucher_number=f"PZ-{key}",
        received_on=date(2022, 7, 1),
    )
    request = agreement_request(fund, agreement, amount, by=finance(), key=key)
    compensation_services.approve_disbursement(request=request, approved_by=approver)


def test_the_accounts_stay_sealed_off_while_a_household_is_owed_a_fen(client, project):
    """A fund at zero does not mean everyone was paid: the money may have gone back while a
    household is still owed. The accounts wait until due and paid agree to the fen."""
    fund = _closable(project)
    household = ready_to_sign(project, code="A-098")
    agreement = approved_agreement(household)
    put_at_stage(project, Stage.ENFORCEMENT)
    boss = leader()
    _pay(fund, agreement, agreement.agreed_total - Decimal("0.01"), "most", approver=boss)
    fund.refresh_from_db()
    assert fund.balance == 0
    login(client, "leader")
    approve = reverse("compensation:final_approve", args=[project.pk])
    page = client.post(approve, follow=True).content.decode()
    assert "尚有1户补偿款应付与已付不符（未付合计0.01元，负数为多付），须先付清或查明。" in page
    project.final_account.refresh_from_db()
    assert not project.final_account.is_approved

    _pay(fund, agreement, Decimal("0.01"), "the-fen", approver=boss)
    page = client.post(approve, follow=True).content.decode()
    assert "决算已审定并冻结" in page
    project.final_account.refresh_from_db()
    assert project.final_account.is_approved


# --- the leader's override -----------------------------------------------------------------


def test_a_leader_overrides_a_gate_once_with_a_recorded_reason(client, project, district_member):
    household = HouseholdFactory(project=project)
    boss = staff(Section.LEADER, username="boss", name="钱领导")
    with pytest.raises(PermissionDenied):
        gates.override(
            action="household.sign",
            by=district_member,
            reason="急需",
            project=project,
            household=household,
        )
    with pytest.raises(ValidationError, match="须填写理由"):
        gates.override(
            action="household.sign", by=boss, reason=" ", project=project, household=household
        )
    record = gates.override(
        action="household.sign",
        by=boss,
        reason="市政府专题会议纪要〔2022〕8号要求先行签约",
        project=project,
        household=household,
    )
    assert "项目处于「立项启动」阶段" in record.blocked_by
    services.sign_household(
        household=household, by=district_member, signed_on=date(2022, 6, 1), method="swap"
    )
    record.refresh_from_db()
    assert record.used_at is not None
    assert record.history.count() == 2

    other = HouseholdFactory(project=project)
    with pytest.raises(ValidationError):  # the override was for one household, once
        services.sign_household(
            household=other, by=district_member, signed_on=date(2022, 6, 1), method="swap"
        )
    login(client, "district")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "市政府专题会议纪要〔2022〕8号要求先行签约" in page
    assert "钱领导" in page


def test_a_leader_records_an_override_on_the_household_page(client, project):
    household = HouseholdFactory(project=project)
    staff(Section.LEADER, username="boss", name="钱领导")
    login(client, "boss")
    page = client.get(household.get_absolute_url()).content.decode()
    assert "签订补偿协议（签约）" in page and "项目处于「立项启动」阶段" in page
    response = client.post(
        reverse("projects:gate_override", args=[project.pk]),
        {"action": "household.sign", "household": household.pk, "reason": "特殊情况先行签约"},
        follow=True,
    )
    assert "已记录越过办理条件" in response.content.decode()
    assert GateOverride.objects.get().reason == "特殊情况先行签约"


def test_others_cannot_record_an_override_on_the_page(client, project, district_member):
    household = HouseholdFactory(project=project)
    login(client, "district")
    response = client.post(
        reverse("projects:gate_override", args=[project.pk]),
        {"action": "household.sign", "household": household.pk, "reason": "先签"},
    )
    assert response.status_code == 403
    assert not GateOverride.objects.exists()


# --- pages -----------------------------------------------------------------------------------


def test_the_sign_page_refuses_at_the_wrong_stage_with_the_reason(client, project, district_member):
    household = HouseholdFactory(project=project)
    login(client, "district")
    page = client.get(household.get_absolute_url()).content.decode()
    assert (
        "项目处于「立项启动」阶段，签订补偿协议（签约）须在「签约」、「补偿决定」阶段办理。" in page
    )
    response = client.post(
        reverse("projects:household_sign", args=[household.pk]),
        {"signed_on": "2022-06-01", "method": "swap"},
        follow=True,
    )
    assert "签订补偿协议（签约）须在「签约」、「补偿决定」阶段办理" in response.content.decode()
    household.refresh_from_db()
    assert not household.is_signed


def test_the_publish_page_refuses_a_decision_notice_at_the_survey_with_the_reason(
    client, project, office_user
):
    project.stage = Stage.SURVEY
    project.save(update_fields=["stage"])
    notice = services.draft_notice(
        project=project,
        by=office_user,
        kind=Notice.Kind.DECISION,
        title="征收决定公告",
        body="正文",
    )
    signed_off(notice)  # a leader's sign-off: the page then offers 业务科 the publication
    login(client, "clerk")
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "发布征收决定公告须在「征收决定」阶段办理" in page
    response = client.post(reverse("projects:notice_publish", args=[notice.pk]), follow=True)
    assert "发布征收决定公告须在「征收决定」阶段办理" in response.content.decode()
    notice.refresh_from_db()
    assert not notice.is_published


# --- money and decisions ------------------------------------------------------------------


def test_a_pending_request_blocks_a_second_for_the_same_amount_until_decided(project):
    household = ready_to_sign(project)
    agreement = approved_agreement(household)
    fund = funded(project, agreement.agreed_total)
    clerk = finance()

    def ask(key):
        return agreement_request(fund, agreement, "1000.00", by=clerk, key=key)

    first = ask("one")
    with pytest.raises(ValidationError) as error:
        ask("two")
    assert "该户已有一笔1,000.00元的划拨申请待审批" in error.value.messages[0]
    assert DisbursementRequest.objects.count() == 1
    compensation_services.reject_disbursement(request=first, by=leader(), note="金额有误")
    assert ask("three").status == DisbursementRequest.Status.PENDING


def test_the_database_also_holds_one_pending_request_per_household_and_amount(project):
    from django.db import IntegrityError, transaction

    household = ready_to_sign(project)
    agreement = approved_agreement(household)
    fund = funded(project, agreement.agreed_total)
    clerk = finance()
    row = dict(
        fund=fund,
        payee_kind="household",
        household=household,
        agreement=agreement,
        amount=Decimal("1000.00"),
        category="house",
        purpose="补偿款",
        paid_on=date(2022, 6, 1),
        requested_by=clerk,
    )
    DisbursementRequest.objects.create(idempotency_key="a", **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisbursementRequest.objects.create(idempotency_key="b", **row)


def test_the_decision_amount_comes_from_the_breakdown_and_a_change_needs_a_reason(
    client, project, district_member
):
    household = ready_for_decision(project)
    computed = household.breakdowns.get(is_current=True).total
    login(client, "district")
    url = reverse("projects:decision_create", args=[household.pk])
    page = client.get(url)
    assert page.context["form"].initial["amount"] == computed
    response = client.post(
        url,
        {"number": "双政征补字〔2022〕1号", "decided_on": "2022-08-01", "amount": "1.00"},
        follow=True,
    )
    assert "须填写调整理由" in response.content.decode()
    assert not household.compensation_decisions.exists()
    decision = legal.record_compensation_decision(
        household=household,
        by=district_member,
        number="双政征补字〔2022〕1号",
        decided_on=date(2022, 8, 1),
    )
    assert decision.amount == computed and decision.amount_reason == ""


def test_a_changed_decision_amount_keeps_its_reason_on_the_page(client, project, district_member):
    household = ready_for_decision(project)
    login(client, "district")
    response = client.post(
        reverse("projects:decision_create", args=[household.pk]),
        {
            "number": "双政征补字〔2022〕2号",
            "decided_on": "2022-08-01",
            "amount": "300000.00",
            "amount_reason": "经复核，附属物补偿另行计算。",
        },
        follow=True,
    )
    assert "经复核，附属物补偿另行计算。" in response.content.decode()
    assert household.compensation_decisions.get().amount == Decimal("300000.00")


# --- back-dated records are judged by the stage of their own date -----------------------


def test_a_back_dated_record_is_judged_by_the_stage_of_its_date(project, office_user):
    household = ready_to_sign(project)
    put_at_stage(project, Stage.ARCHIVED)
    yesterday = timezone.localdate() - timedelta(days=1)
    project.stage_changes.create(from_stage="", to_stage=Stage.SIGNING, changed_by=office_user)
    project.stage_changes.filter(to_stage=Stage.SIGNING).update(
        changed_at=timezone.now() - timedelta(days=30)
    )
    assert gates.stage_on(project, yesterday) == Stage.SIGNING
    assert gates.stage_on(project, timezone.localdate()) == Stage.ARCHIVED
    assert (
        gates.blockers("household.sign", project=project, household=household, today=yesterday)
        == []
    )
    assert Household.objects.filter(pk=household.pk, signed_on__isnull=True).exists()


# --- the household's own state ----------------------------------------------------------------

HOUSEHOLD_ACTIONS = [action for action, rule in gates.RULES.items() if rule.subject == "household"]
STATES = list(gates.HouseholdState)
MOVED = (gates.HouseholdState.MOVED_OUT, gates.HouseholdState.DEMOLISHED)


def household_in(state: gates.HouseholdState, project) -> Household:
    """A household of `project` in `state`, its facts on file as the office records them."""
    from projects.models import CompensationDecision
    from tests.compensation.factories import valued_household

    if state == gates.HouseholdState.REGISTERED:
        return HouseholdFactory(project=project)
    fields = {}
    if state in (gates.HouseholdState.SIGNED, *MOVED):
        fields = {"signed_on": date(2022, 6, 1), "method": "monetary"}
    if state in MOVED:
        fields["moved_out_on"] = date(2022, 7, 1)
    if state == gates.HouseholdState.DEMOLISHED:
        fields["demolished_on"] = date(2022, 8, 1)
    household = valued_household(project, **fields)
    if state == gates.HouseholdState.DECIDED:
        CompensationDecision.objects.create(
            household=household, number="决字1号", decided_on=date(2022, 8, 1), amount=1
        )
    return household


@pytest.mark.parametrize("state", STATES, ids=[s.value for s in STATES])
@pytest.mark.parametrize("action", HOUSEHOLD_ACTIONS)
def test_each_household_action_is_refused_outside_its_household_states(action, state, district):
    """Every (household action × household state) cell of the table: the state reason, naming
    the household's state in Chinese, is there exactly when the state is not one of the
    action's."""
    rule = gates.RULES[action]
    project = ProjectFactory(district=district)
    household = household_in(state, project)
    assert gates.household_state(household) == state
    missing = gates.blockers(action, project=project, household=household)
    state_reasons = [m for m in missing if m.startswith("该户处于「")]
    if rule.household_states is None or state in rule.household_states:
        assert state_reasons == []
    else:
        assert state_reasons == [
            f"该户处于「{state.label}」状态，{rule.label}须在该户处于"
            + "、".join(f"「{s.label}」" for s in rule.household_states)
            + "状态时办理。"
            + (str(rule.state_hint) if rule.state_hint else "")
        ]


def test_the_household_states_of_the_table_read_as_the_office_expects():
    H = gates.HouseholdState
    states = {action: gates.RULES[action].household_states for action in HOUSEHOLD_ACTIONS}
    assert states["household.sign"] == (H.REGISTERED, H.VALUED)
    assert states["decision.record"] == (H.REGISTERED, H.VALUED)
    assert states["household.move_out"] == (H.SIGNED, H.DECIDED)
    assert states["household.demolish"] == (H.MOVED_OUT,)
    assert states["household.edit_basis"] == (H.REGISTERED,)
    assert states["document.add"] is None
    assert states["document.delete"] == (H.REGISTERED, H.VALUED)


@pytest.mark.parametrize(
    ("closure", "state"),
    [
        ("", gates.HouseholdState.DECIDED),
        ("enforced", gates.HouseholdState.DECIDED),
        ("agreed", gates.HouseholdState.VALUED),
        ("revoked", gates.HouseholdState.VALUED),
    ],
)
def test_a_decision_holds_the_household_until_revoked_or_closed_by_agreement(
    closure, state, project
):
    from projects.models import CompensationDecision
    from tests.compensation.factories import valued_household

    household = valued_household(project)
    CompensationDecision.objects.create(
        household=household,
        number="决字2号",
        decided_on=date(2022, 8, 1),
        amount=1,
        closed_on=date(2022, 9, 1) if closure else None,
        closure=closure,
    )
    assert gates.household_state(household) == state
