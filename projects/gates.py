"""What may be done when: one table of every state-changing action of a project's legal road.

Each row of `RULES` names an action, the project stages in which it may be taken, for an action
on a household the household's own states (`HouseholdState`, derived by `household_state`) in
which it may be taken, and what must already be on file, by the names of checks. A check is a
function of a `Subject` (the project, the household or object acted on, and the day) that
returns None when it is met, or what is missing in Chinese. The projects app registers its own
checks below; the apps above it add theirs with `@check("name")` in their `stage_requirements`
module, imported from their AppConfig.ready(), so this module never imports them (like
projects.stages).

Services call `ensure_allowed(...)` before they write; pages call `blockers(...)` to show why an
action is not available yet. A leader (领导) may let one action on one object through despite
its gate with `override(...)`: the reason is recorded (`GateOverride`, with its history) and
listed on the project page, and the override is used up by the action it let through.

Why a table and not a state-machine library (django-fsm-2, viewflow): those guard the
transitions of one status field of one model. The rules here span many models (a notice's
publication depends on the project's stage, the plan, the fund and the risk assessment; a
household's signing on its valuation, the 二榜 and its agreement), and most actions do not change
a status at all. A table of (action → stages, requirements) read by one function is smaller and
is what the tests walk cell by cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import cn_date
from core.models import User
from projects import facts
from projects import stages as stage_requirements
from projects.models import (
    CompensationDecision,
    GateOverride,
    Household,
    Notice,
    Project,
    Stage,
)

S = Stage


class HouseholdState(models.TextChoices):
    """Where a household is on its own road, derived from what is on file (`household_state`),
    never stored: 登记 → 已评估 → 已签约 or 已作出补偿决定 → 已搬迁 → 已拆除."""

    REGISTERED = "registered", gettext_lazy("登记")
    VALUED = "valued", gettext_lazy("已评估")
    SIGNED = "signed", gettext_lazy("已签约")
    DECIDED = "decided", gettext_lazy("已作出补偿决定")
    MOVED_OUT = "moved_out", gettext_lazy("已搬迁")
    DEMOLISHED = "demolished", gettext_lazy("已拆除")


H = HouseholdState
BEFORE_ARCHIVE = tuple(stage for stage in Stage if stage != Stage.ARCHIVED)
AFTER_DECISION = (S.SIGNING, S.ENFORCEMENT)
# The survey (调查登记) registers the households; after it they are the facts the plan, the
# valuations and the breakdowns are built on.
REGISTRATION_STAGES = (S.INITIATION, S.SURVEY)


@dataclass(frozen=True)
class Rule:
    """One row of the table: `stages` None means the action is not bound to a project."""

    label: Promise
    stages: tuple[Stage, ...] | None
    needs: tuple[str, ...] = ()
    subject: str = "project"  # what the action is taken on: project, household, notice, …
    # The household's states in which the action may be taken; None: in any state.
    household_states: tuple[HouseholdState, ...] | None = None
    # What to do instead, added to the refusal for a household in another state.
    state_hint: Promise | None = None


def _notice_action(kind: str) -> str:
    return f"notice.{kind}"


# fmt: off
RULES: dict[str, Rule] = {
    # 公告 / 公示: each kind in its own stage (Decree 590 arts. 9-13, 19-20, 26).
    _notice_action(Notice.Kind.START): Rule(
        gettext_lazy("发布启动公告"), (S.INITIATION,), ("approvals_verified",), "notice"),
    _notice_action(Notice.Kind.RANGE): Rule(
        gettext_lazy("发布征收范围公告"), (S.INITIATION, S.SURVEY), (), "notice"),
    _notice_action(Notice.Kind.FIRST_LIST): Rule(
        gettext_lazy("发布一榜公示"), (S.SURVEY,), ("households_registered",), "notice"),
    _notice_action(Notice.Kind.PLAN_COMMENT): Rule(
        gettext_lazy("发布补偿方案征求意见公告"), (S.PLAN,), ("plan_approved",), "notice"),
    _notice_action(Notice.Kind.DECISION): Rule(
        gettext_lazy("发布征收决定公告"), (S.DECISION,),
        ("plan_approved", "plan_comment_period_over", "risk_assessed", "funds_in_place"),
        "notice"),
    _notice_action(Notice.Kind.SECOND_LIST): Rule(
        gettext_lazy("发布二榜公示"), (S.APPRAISAL,), ("every_household_valued",), "notice"),
    _notice_action(Notice.Kind.COMPENSATION_DECISION): Rule(
        gettext_lazy("发布补偿决定公告"), (S.ENFORCEMENT,), ("compensation_decision_on_file",),
        "notice"),
    _notice_action(Notice.Kind.HARDSHIP): Rule(
        gettext_lazy("发布困难补助公示"), AFTER_DECISION, ("plan_approved",), "notice"),
    # 产权调换 (Decree 590 art. 21): the selection order is published before the selection day.
    _notice_action(Notice.Kind.SELECTION_ORDER): Rule(
        gettext_lazy("发布选房顺序公告"), (S.SIGNING,), ("selection_order_fixed",), "notice"),
    _notice_action(Notice.Kind.OTHER): Rule(
        gettext_lazy("发布其他公告"), tuple(Stage), (), "notice"),
    # The approvals (立项批复, 规划, 国土) are what 立项启动 files and the office verifies;
    # replacing one once the project has moved on (it goes back to 待核查) takes a leader's
    # recorded override.
    "approval.record": Rule(gettext_lazy("上传或更新审批手续"), (S.INITIATION,)),
    # Plans and the risk assessment come before the decision.
    "plan.submit": Rule(gettext_lazy("提交补偿方案"), (S.INITIATION, S.SURVEY, S.PLAN)),
    "plan.approve": Rule(gettext_lazy("审批补偿方案"), (S.INITIATION, S.SURVEY, S.PLAN)),
    "risk.record": Rule(gettext_lazy("登记社会稳定风险评估"), (S.SURVEY, S.PLAN)),
    # The appraisal firm is chosen by the households after the decision (Decree 590 art. 20).
    "firm.select": Rule(
        gettext_lazy("选定评估机构"), (S.DECISION, S.APPRAISAL), ("decision_announced",)),
    "firm.commission": Rule(
        gettext_lazy("签订评估委托合同"), (S.DECISION, S.APPRAISAL),
        ("decision_announced", "firm_selected")),
    "valuation.record": Rule(
        gettext_lazy("录入分户评估报告"), (S.APPRAISAL,), ("commission_on_file",), "household",
        household_states=(H.REGISTERED,),
        state_hint=gettext_lazy("评估结果的改变须经复核或专家鉴定。")),
    # A signed household accepted its valuation; one under a decision contests the decision.
    "valuation.recheck": Rule(
        gettext_lazy("评估复核与专家鉴定"), (S.APPRAISAL, *AFTER_DECISION), ("household_valued",),
        "household", household_states=(H.VALUED,)),
    # Signing needs the approved plan, the decision, the household's valuation past its 二榜.
    # A household under a decision may still agree (its decision is then closed as 达成补偿协议
    # before it signs); a signed one gets the paper of its recorded signing.
    "agreement.draft": Rule(
        gettext_lazy("起草补偿协议"), AFTER_DECISION,
        ("plan_approved", "decision_announced", "household_valued",
         "second_list_ended"), "household",
        household_states=(H.REGISTERED, H.VALUED, H.SIGNED, H.DECIDED)),
    "household.sign": Rule(
        gettext_lazy("签订补偿协议（签约）"), AFTER_DECISION,
        ("plan_approved", "decision_announced", "household_valued",
         "second_list_ended", "agreement_on_file"), "household",
        household_states=(H.REGISTERED, H.VALUED),
        state_hint=gettext_lazy(
            "已签约的户变更协议须签订补充协议；已作出补偿决定的户达成协议的，"
            "须先将补偿决定以“达成补偿协议”办结。")),
    "agreement.approve": Rule(
        gettext_lazy("审核补偿协议"), AFTER_DECISION, ("agreement_on_file",), "household"),
    "agreement.supplement": Rule(
        gettext_lazy("签订补充协议"), AFTER_DECISION, ("agreement_on_file",), "household"),
    # 补偿决定 for a household that did not sign (Decree 590 art. 26), at the breakdown's amount.
    "decision.record": Rule(
        gettext_lazy("作出补偿决定"), (S.ENFORCEMENT,),
        ("household_valued", "second_list_ended", "breakdown_on_file"),
        "household", household_states=(H.REGISTERED, H.VALUED)),
    # Moving out follows the agreement or the decision; the house is pulled down once empty.
    "household.move_out": Rule(
        gettext_lazy("登记搬迁"), AFTER_DECISION, (), "household",
        household_states=(H.SIGNED, H.DECIDED)),
    "household.demolish": Rule(
        gettext_lazy("登记拆除"), AFTER_DECISION, (), "household",
        household_states=(H.MOVED_OUT,)),
    # The survey's facts: the valuation and the breakdown are computed from the area and use,
    # the agreements' parties from the ownership; once those exist the facts are frozen (a
    # leader's recorded override lets one correction through).
    # Households are registered by the survey, by import or one at a time: one rule for both.
    "household.import": Rule(gettext_lazy("导入调查登记表"), REGISTRATION_STAGES),
    "household.register": Rule(gettext_lazy("登记被征收户"), REGISTRATION_STAGES),
    "household.edit_basis": Rule(
        gettext_lazy("修改建筑面积、房屋用途"), tuple(Stage), (), "household",
        household_states=(H.REGISTERED,),
        state_hint=gettext_lazy("评估报告和补偿明细依据建筑面积、房屋用途，更正须经领导准予越过。")),
    "household.edit_ownership": Rule(
        gettext_lazy("修改产权性质（公有房屋、产权单位）"), tuple(Stage), ("no_agreement_drafted",),
        "household", household_states=(H.REGISTERED, H.VALUED)),
    # 一户一档: files are added at any time; after the agreement or decision they are evidence.
    "document.add": Rule(gettext_lazy("上传档案文件"), tuple(Stage), (), "household"),
    "document.delete": Rule(
        gettext_lazy("删除档案文件"), tuple(Stage), (), "household",
        household_states=(H.REGISTERED, H.VALUED)),
    # Money.
    "fund.open": Rule(gettext_lazy("开设资金账户"), BEFORE_ARCHIVE),
    "fund.deposit": Rule(gettext_lazy("资金归集"), BEFORE_ARCHIVE),
    # Money leaves the fund only under an approved plan (it fixes what the money is for, Decree
    # 590 art. 10); a household is paid after the decision (arts. 13, 25).
    "disbursement.household": Rule(
        gettext_lazy("向被征收户划拨"), AFTER_DECISION, ("plan_approved", "decision_announced"),
        "household"),
    "disbursement.district": Rule(
        gettext_lazy("向区县征收部门划拨"), BEFORE_ARCHIVE, ("plan_approved",)),
    "subsidy.register": Rule(gettext_lazy("登记困难补助"), AFTER_DECISION, ("plan_approved",)),
    "subsidy.withdraw": Rule(gettext_lazy("撤回困难补助"), AFTER_DECISION, (), "subsidy"),
    "cost_budget.approve": Rule(gettext_lazy("审定概算"), BEFORE_ARCHIVE),
    "final_account.prepare": Rule(gettext_lazy("编制决算"), (S.ENFORCEMENT, S.ARCHIVED)),
    "final_account.approve": Rule(
        gettext_lazy("审定决算并封账"), (S.ENFORCEMENT, S.ARCHIVED),
        ("every_household_settled", "households_paid_in_full", "subsidies_paid",
         "no_pending_disbursements", "fund_balance_zero")),
    # House selection for property swap (resettlement.selection): in the signing stage, the
    # order fixed (by signing or a public draw) and published before anyone is called.
    "selection.order": Rule(
        gettext_lazy("确定选房顺序"), (S.SIGNING,), ("swap_terms_set",)),
    "selection.call": Rule(
        gettext_lazy("选房叫号"), (S.SIGNING,), ("selection_order_published",)),
    "selection.pick": Rule(
        gettext_lazy("选定安置房源"), (S.SIGNING,), ("selection_order_published",), "household"),
    # Resettlement flats are reserved for a project once its plan (with its swap rules) is
    # approved, and until the project is archived (resettlement.stage_requirements).
    "flat.freeze": Rule(
        gettext_lazy("冻结安置房源"), (S.PLAN, S.DECISION, S.APPRAISAL, *AFTER_DECISION),
        ("plan_approved", "swap_terms_set")),
    # Not bound to a project.
    "credit_list.publish": Rule(
        gettext_lazy("公布信用名录"), None, ("credit_period_ended", "credit_grades_set"),
        "credit_list"),
}
# fmt: on


def notice_action(notice: Notice) -> str:
    return _notice_action(notice.kind)


def notice_holds(rows) -> dict[int, list[str]]:
    """For notice sign-offs waiting for publication (core.signoffs.holds): why each notice
    cannot be published today, by sign-off pk; a notice a leader's override lets through is not
    held."""
    notices = Notice.objects.select_related("project").in_bulk([row.object_id for row in rows])
    # One read of the waiting overrides, and each check asked once per project: the queries
    # do not grow with the number of notices (the notice checks do not read the notice).
    overridden = set(
        GateOverride.objects.filter(
            target_type=ContentType.objects.get_for_model(Notice),
            target_id__in=list(notices),
            used_at__isnull=True,
        ).values_list("target_id", "action")
    )
    memo: dict = {}
    held = {}
    for row in rows:
        notice = notices.get(row.object_id)
        if notice is None or notice.is_published:
            continue
        action = notice_action(notice)
        if (notice.pk, action) not in overridden:
            held[row.pk] = blockers(action, project=notice.project, obj=notice, memo=memo)
    return held


@dataclass
class Subject:
    """What a check looks at: the project (None for the credit list), and the household or
    object the action is taken on, on `today`."""

    project: Project | None
    household: Household | None = None
    obj: Any = None
    today: date = field(default_factory=timezone.localdate)


Check = Callable[[Subject], str | None]
_CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register the check `name` used in the table (from an app's stage_requirements module)."""

    def register(function: Check) -> Check:
        _CHECKS[name] = function
        return function

    return register


def unknown_checks() -> set[str]:
    """Names the table uses that no installed app registered (a test keeps this empty)."""
    used = {name for rule in RULES.values() for name in rule.needs}
    return used - set(_CHECKS)


def _stage_names(stages: tuple[Stage, ...]) -> str:
    return "、".join(f"「{stage.label}」" for stage in stages)


def stage_on(project: Project, day: date) -> Stage:
    """The stage the project was in on `day`, read from its timeline (StageChange rows).

    A back-dated record (a risk assessment entered after the fact, an agreement signed last
    week) is judged by the stage of its own date; today and later, and a day the timeline does
    not reach, take the current stage."""
    if day >= timezone.localdate():
        return project.stage_enum
    change = (
        project.stage_changes.filter(changed_at__date__lte=day)
        .order_by("-changed_at", "-pk")
        .values_list("to_stage", flat=True)
        .first()
    )
    return Stage(change) if change else project.stage_enum


def _stage_message(rule: Rule, stage: Stage, day: date) -> str:
    values = {"stage": stage.label, "action": rule.label, "stages": _stage_names(rule.stages)}
    if day < timezone.localdate():
        values["day"] = cn_date(day)
        return _("项目于%(day)s处于「%(stage)s」阶段，%(action)s须在%(stages)s阶段办理。") % values
    return _("项目处于「%(stage)s」阶段，%(action)s须在%(stages)s阶段办理。") % values


_VALUED: list[Callable[[Household, date], bool]] = []


def household_valued_source(function: Callable[[Household, date], bool]):
    """Register `function(household, day) -> bool`: whether the household had a valuation
    report by `day` (the appraisers app, which projects does not import)."""
    _VALUED[:] = [function]
    return function


def household_state(household: Household, on: date | None = None) -> HouseholdState:
    """The furthest state the household had reached on `on` (default today), from the dates on
    file, so that a back-dated record is judged by the household's state on its own day (as
    `stage_on` does for the project): 已拆除 (demolished by then), 已搬迁 (moved out), 已签约
    (signed), 已作出补偿决定 (a decision made by then and not revoked or closed by agreement
    by then; an enforced one still holds), 已评估 (a valuation report by then), else 登记. At
    most two queries."""
    day = on or timezone.localdate()
    if household.demolished_on is not None and household.demolished_on <= day:
        return HouseholdState.DEMOLISHED
    if household.moved_out_on is not None and household.moved_out_on <= day:
        return HouseholdState.MOVED_OUT
    if household.signed_on is not None and household.signed_on <= day:
        return HouseholdState.SIGNED
    if household.pk is None:
        return HouseholdState.REGISTERED
    released = Q(
        closed_on__lte=day,
        closure__in=[CompensationDecision.Closure.REVOKED, CompensationDecision.Closure.AGREED],
    )
    if household.compensation_decisions.filter(decided_on__lte=day).exclude(released).exists():
        return HouseholdState.DECIDED
    if _VALUED and _VALUED[0](household, day):
        return HouseholdState.VALUED
    return HouseholdState.REGISTERED


def _state_message(rule: Rule, state: HouseholdState) -> str:
    message = _("该户处于「%(state)s」状态，%(action)s须在该户处于%(states)s状态时办理。") % {
        "state": state.label,
        "action": rule.label,
        "states": "、".join(f"「{s.label}」" for s in rule.household_states),
    }
    return message + str(rule.state_hint) if rule.state_hint else message


def blockers(
    action: str,
    *,
    project: Project | None,
    household: Household | None = None,
    obj: Any = None,
    today: date | None = None,
    memo: dict | None = None,
) -> list[str]:
    """Why `action` cannot be taken on `today` (default: today): a list of Chinese messages,
    empty when it can. Services pass the action's own date (the signing day, the publication
    day), so the stage is the one the project was in on that day (`stage_on`).

    `memo`: a dict kept across calls for many objects (a list page) so that each check is
    asked once per project, household and day; only for actions whose checks do not read
    `obj`.

    The stage comes first, then (given a household, for an action bound to household states)
    the household's state (`household_state`); the requirements follow in the table's order.
    Raises KeyError for an action not in the table (a programming error)."""
    rule = RULES[action]
    subject = Subject(project, household, obj, today or timezone.localdate())
    missing = []
    if rule.stages is not None and project is not None:
        stage = stage_on(project, subject.today)
        if stage not in rule.stages:
            missing.append(_stage_message(rule, stage, subject.today))
    if rule.household_states is not None and household is not None:
        state = household_state(household, subject.today)
        if state not in rule.household_states:
            missing.append(_state_message(rule, state))
    for name in rule.needs:
        if memo is None:
            message = _CHECKS[name](subject)
        else:
            key = (
                name,
                getattr(project, "pk", None),
                getattr(household, "pk", None),
                subject.today,
            )
            if key not in memo:
                memo[key] = _CHECKS[name](subject)
            message = memo[key]
        if message:
            missing.append(message)
    return missing


def _target(project, household, obj):
    return obj if obj is not None else household if household is not None else project


def open_override(action: str, target) -> GateOverride | None:
    """The leader's override waiting for `action` on `target` (not yet used), or None."""
    if target is None or target.pk is None:
        return None
    return (
        GateOverride.objects.filter(
            action=action,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            used_at__isnull=True,
        )
        .select_related("by")
        .order_by("pk")
        .first()
    )


def _open_override(action: str, target) -> GateOverride | None:
    if target is None or target.pk is None:
        return None
    return (
        GateOverride.objects.select_for_update()
        .filter(
            action=action,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            used_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def override_waiting(action: str, target) -> bool:
    """Whether a leader's override for `action` on `target` waits to be used."""
    if target is None or target.pk is None:
        return False
    return GateOverride.objects.filter(
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        used_at__isnull=True,
    ).exists()


def ensure_allowed(
    action: str,
    *,
    project: Project | None,
    household: Household | None = None,
    obj: Any = None,
    today: date | None = None,
) -> None:
    """Raise ValidationError (the Chinese reasons of `blockers`) unless the action may be taken
    now, or a leader's recorded override for this action on this object is waiting: that
    override is then used up (call inside the service's transaction)."""
    missing = blockers(action, project=project, household=household, obj=obj, today=today)
    if not missing:
        return
    pending = _open_override(action, _target(project, household, obj))
    if pending is None:
        raise ValidationError(missing)
    pending.used_at = timezone.now()
    pending.save(update_fields=["used_at"])


@transaction.atomic
def override(
    *,
    action: str,
    by: User,
    reason: str,
    project: Project | None,
    household: Household | None = None,
    obj: Any = None,
    today: date | None = None,
) -> GateOverride:
    """A leader lets `action` on one object through once despite its gate, with a reason.

    Raises PermissionDenied for anyone but a leader (领导), ValidationError for an empty reason,
    an action that is not blocked, or an override already waiting for the same action."""
    if not by.is_leader:
        raise PermissionDenied(_("只有领导可以越过办理条件。"))
    if action not in RULES:
        raise ValidationError(_("未知的事项。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("越过办理条件须填写理由。"))
    missing = blockers(action, project=project, household=household, obj=obj, today=today)
    if not missing:
        raise ValidationError(_("该事项当前已可办理，无需越过办理条件。"))
    target = _target(project, household, obj)
    if _open_override(action, target) is not None:
        raise ValidationError(_("该事项已有尚未使用的越过记录。"))
    record = GateOverride(
        project=project,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        target_label=str(target)[:200],
        blocked_by="\n".join(missing),
        reason=reason,
        by=by,
    )
    record.full_clean()
    record.save()
    return record


@dataclass(frozen=True)
class Status:
    """One action as a page shows it: its code, label and why it is not available yet."""

    action: str
    label: str
    missing: list[str]
    override: GateOverride | None = None

    @property
    def is_allowed(self) -> bool:
        return not self.missing


def statuses(
    *,
    project: Project,
    household: Household | None = None,
    today: date | None = None,
    overrides: list[GateOverride] | None = None,
) -> list[Status]:
    """Every project action (or, given a household, every household action) with its blockers,
    in the table's order: what the project and household pages show. Each check is asked once
    however many actions need it (`blockers`' `memo`); one query reads the waiting overrides,
    none when the caller passes `overrides` (any list holding at least the target's own)."""
    wanted = "household" if household is not None else "project"
    target = household if household is not None else project
    target_type = ContentType.objects.get_for_model(target)
    if overrides is None:
        overrides = GateOverride.objects.filter(
            target_type=target_type, target_id=target.pk, used_at__isnull=True
        ).order_by("pk")
    # Given the project's overrides (read for its page), the waiting ones are picked here; the
    # first recorded wins, as `open_override` picks it.
    waiting = {}
    for o in sorted(overrides, key=lambda o: o.pk):
        if o.target_type_id == target_type.pk and o.target_id == target.pk and o.used_at is None:
            waiting.setdefault(o.action, o)
    today = today or timezone.localdate()
    memo: dict = {}
    return [
        Status(
            action,
            str(rule.label),
            blockers(action, project=project, household=household, today=today, memo=memo),
            waiting.get(action),
        )
        for action, rule in RULES.items()
        if rule.subject == wanted
    ]


def action_label(action: str) -> str:
    rule = RULES.get(action)
    return str(rule.label) if rule else action


# ---------------------------------------------------------------------------
# The projects app's own checks


def _project_requirement(function) -> Check:
    return lambda subject: function(subject.project, subject.today)


check("approvals_verified")(_project_requirement(stage_requirements.approvals_verified))
check("households_registered")(_project_requirement(stage_requirements.households_surveyed))
check("plan_approved")(_project_requirement(stage_requirements.plan_approved))
check("plan_comment_period_over")(_project_requirement(stage_requirements.plan_comment_period_over))
check("risk_assessed")(_project_requirement(stage_requirements.stability_risk_assessed))
check("decision_announced")(_project_requirement(stage_requirements.decision_announced))


@check("second_list_ended")
def second_list_ended(subject: Subject) -> str | None:
    """The household's valuation is past its 二榜: the 二榜 was posted and its period ran out."""
    return stage_requirements.second_list_posted(subject.project, subject.today)


@check("compensation_decision_on_file")
def compensation_decision_on_file(subject: Subject) -> str | None:
    if not facts.value(subject.project, "compensation_decisions"):
        return _("本项目尚未作出补偿决定。")
    return None


@check("every_household_settled")
def every_household_settled(subject: Subject) -> str | None:
    """The archive stage's rule (`projects.models.unsettled_condition`: signed, moved out, or
    under an enforced compensation decision), and a project with no household registered has
    nothing settled (projects.facts: one query, none on the project page)."""
    registered, unsettled = facts.values(subject.project, "households", "households_unsettled")
    if not registered:
        return _("本项目尚未登记被征收户。")
    return stage_requirements.unsettled_message(unsettled)
