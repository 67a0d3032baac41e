"""Writes on projects, their approvals, stages, households, notices and plans.

Every function here validates, writes inside one transaction and leaves the audit trail
(simple_history rows, StageChange and PlanReview entries). Views call exactly one of them.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines, permissions, signoffs
from core.models import District, User
from projects import gates, plan_sections, stages
from projects.models import (
    Approval,
    CompensationPlan,
    FamilyMember,
    Household,
    HouseholdDocument,
    Notice,
    PlanReview,
    Project,
    Stage,
    StageChange,
)
from public import cache as public_cache

# ---------------------------------------------------------------------------
# Who may do what. Visibility (which district) is core.scoping's job; these say
# which kind of user may take an action on something they can already see.


def ensure_office_staff(user: User) -> None:
    permissions.ensure(user, "projects.office_work")


def ensure_can_edit_project(user: User, project: Project) -> None:
    """Office staff, and the district users of the project's own district, may edit."""
    permissions.ensure(user, "projects.edit_project", project)


def ensure_district_of_project(user: User, project: Project) -> None:
    """Only the district office carrying out the project may submit its plan."""
    permissions.ensure(user, "projects.submit_plan", project)


# ---------------------------------------------------------------------------
# Projects and stages


@transaction.atomic
def create_project(*, by: User, district: District, **fields: Any) -> Project:
    if by.is_district_user and by.district_id != district.pk:
        raise PermissionDenied(_("只能为本区县登记项目。"))
    project = Project(district=district, created_by=by, **fields)
    project.full_clean()
    project.save()
    StageChange.objects.create(
        project=project, from_stage="", to_stage=project.stage, changed_by=by, note=_("项目登记")
    )
    return project


@transaction.atomic
def update_project(*, project: Project, by: User, **fields: Any) -> Project:
    ensure_can_edit_project(by, project)
    if by.is_district_user and fields.get("district", project.district) != project.district:
        raise PermissionDenied(_("区县用户不能把项目改到其他区县。"))
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def advance_stage(
    *, project: Project, by: User, today: date | None = None, note: str = ""
) -> Stage:
    """Move the project to the next stage once everything its current stage needs is on file."""
    ensure_office_staff(by)
    project = Project.objects.select_for_update().get(pk=project.pk)
    today = today or timezone.localdate()
    current = project.stage_enum
    if current.next is None:
        raise ValidationError(_("项目已完成归档，没有下一阶段。"))
    missing = stages.missing_to_leave(project, today)
    if missing:
        raise ValidationError(missing)
    project.stage = current.next
    update_fields = ["stage"]
    if project.stage == Stage.ARCHIVED:
        project.completed_on = today
        update_fields.append("completed_on")
    project.save(update_fields=update_fields)
    StageChange.objects.create(
        project=project, from_stage=current, to_stage=project.stage, changed_by=by, note=note
    )
    return Stage(project.stage)


@transaction.atomic
def record_approval(
    *,
    project: Project,
    by: User,
    kind: str,
    number: str,
    issued_on: date,
    file: File | None = None,
) -> Approval:
    """File (or replace) one of the project's approvals; a replaced one must be verified again.

    Gated by projects.gates' `approval.record` (立项启动 only, else a leader's recorded
    override). Raises PermissionDenied for a user who may not edit the project, ValidationError
    with the Chinese reasons otherwise."""
    ensure_can_edit_project(by, project)
    gates.ensure_allowed("approval.record", project=project)
    if issued_on > timezone.localdate():
        raise ValidationError(_("批准日期不能晚于今天。"))
    approval = Approval.objects.filter(project=project, kind=kind).first() or Approval(
        project=project, kind=kind
    )
    approval.number = number
    approval.issued_on = issued_on
    if file is not None:
        approval.file = file
    approval.uploaded_by = by
    approval.verified_by = None
    approval.verified_at = None
    approval.full_clean()
    approval.save()
    _submit_approval(approval, by)
    return approval


def _submit_approval(approval: Approval, by: User) -> None:
    """Send a filed (or replaced) approval to its verification step (core.signoffs "approval")."""
    project = approval.project
    signoffs.submit(
        item=approval,
        chain="approval",
        by=by,
        title=_("%(project)s %(kind)s %(number)s")
        % {"project": project.name, "kind": approval.get_kind_display(), "number": approval.number},
        url=project.get_absolute_url(),
        district=project.district,
        again=True,
    )


@transaction.atomic
def verify_approval(*, approval: Approval, by: User, comment: str = "") -> Approval:
    """The city office checks an approval on file (备案核查): 业务科 verifies (core.signoffs).

    Raises PermissionDenied for anyone else, ValidationError when it is not waiting.
    """
    permissions.ensure(by, "projects.verify_approval", approval)
    signoffs.approve(item=approval, by=by, comment=comment)
    approval.verified_by = by
    approval.verified_at = timezone.now()
    approval.save(update_fields=["verified_by", "verified_at"])
    return approval


@transaction.atomic
def return_approval(*, approval: Approval, by: User, comment: str) -> Approval:
    """Send an approval back to the district with a comment; filing it again resubmits it."""
    permissions.ensure(by, "projects.verify_approval", approval)
    signoffs.send_back(item=approval, by=by, comment=comment)
    return approval


# ---------------------------------------------------------------------------
# Notices


@transaction.atomic
def draft_notice(*, project: Project, by: User, **fields: Any) -> Notice:
    """Save a draft and send it for a leader's sign-off (core.signoffs "notice")."""
    ensure_can_edit_project(by, project)
    notice = Notice(project=project, created_by=by, **fields)
    notice.full_clean()
    notice.save()
    _submit_notice(notice, by)
    return notice


def _submit_notice(notice: Notice, by: User) -> None:
    signoffs.submit(
        item=notice,
        chain="notice",
        by=by,
        title=_("%(kind)s：%(title)s") % {"kind": notice.get_kind_display(), "title": notice.title},
        url=notice.get_absolute_url(),
        district=notice.project.district,
        responsible=signoffs.notice_section(notice.kind),
        again=True,
    )


@transaction.atomic
def update_notice(*, notice: Notice, by: User, **fields: Any) -> Notice:
    """Correct a draft; a published notice is a public record and stays as it was.

    A corrected draft goes back to the leader's sign-off (a returned one is thereby resubmitted):
    a sign-off covers the text the leader saw.
    """
    ensure_can_edit_project(by, notice.project)
    if notice.is_published:
        raise ValidationError(_("公告已发布，不能修改。"))
    for name, value in fields.items():
        setattr(notice, name, value)
    notice.full_clean()
    notice.save()
    _submit_notice(notice, by)
    return notice


# The source of each kind of notice's posting period. The comment period of a compensation plan
# is set by the regulation; the others by the notice itself. All count calendar days: no law
# makes them working days (民法典 第二百零一条至第二百零三条 govern the counting).
_POSTING_BASIS = {
    Notice.Kind.PLAN_COMMENT: gettext_lazy(
        "《国有土地上房屋征收与补偿条例》第十条第二款（征求公众意见期限不得少于30日）"
    ),
}
_POSTING_BASIS_DEFAULT = gettext_lazy(
    "公告载明的公示期，期间依《中华人民共和国民法典》第二百零一条至第二百零三条计算"
)


def posting_period(kind: str, published_on: date, period_days: int) -> deadlines.Deadline:
    """The end of a notice's posting period: `period_days` calendar days from publication."""
    basis = _POSTING_BASIS.get(kind, _POSTING_BASIS_DEFAULT)
    return deadlines.days(published_on, period_days, basis=str(basis))


@transaction.atomic
def sign_off_notice(*, notice: Notice, by: User, comment: str = "") -> Notice:
    """A leader signs the draft off (签发); the responsible section then publishes it.

    Raises PermissionDenied for anyone but a leader while the draft waits for sign-off.
    """
    permissions.ensure(by, "projects.sign_off_notice", notice)
    signoffs.approve(item=notice, by=by, comment=comment)
    return notice


@transaction.atomic
def return_notice(*, notice: Notice, by: User, comment: str) -> Notice:
    """Send the draft back to whoever drafted it (the district, or a section) with a comment."""
    if notice.is_published:
        raise ValidationError(_("该公告已经发布。"))
    permissions.ensure(by, "projects.return_notice", notice)
    signoffs.send_back(item=notice, by=by, comment=comment)
    return notice


def _publish(notice: Notice, by: User, on: date | None) -> Notice:
    if notice.is_published:
        raise ValidationError(_("该公告已经发布。"))
    gates.ensure_allowed(gates.notice_action(notice), project=notice.project, obj=notice, today=on)
    notice.published_on = on or timezone.localdate()
    notice.published_by = by
    if notice.kind == Notice.Kind.COMPENSATION_DECISION:
        from projects import legal  # legal builds on this module

        legal.before_announcement_published(notice, notice.published_on)
    if notice.period_days:
        period = posting_period(notice.kind, notice.published_on, notice.period_days)
        notice.ends_on = period.due
        notice.period_explanation = "\n".join(period.explanation)
    notice.save(
        update_fields=[
            "published_on",
            "published_by",
            "ends_on",
            "period_explanation",
            "title",
            "body",
        ]
    )
    public_cache.bump()
    if notice.kind == Notice.Kind.START:
        project = notice.project
        if project.started_on is None or notice.published_on < project.started_on:
            project.started_on = notice.published_on
            project.save(update_fields=["started_on"])
    return notice


@transaction.atomic
def publish_notice(*, notice: Notice, by: User, on: date | None = None) -> Notice:
    """The responsible section publishes a notice a leader has signed off (core.signoffs:
    法规科 the 补偿决定公告, 计划财务科 the 困难补助公示, 业务科 the others).

    Raises PermissionDenied before the sign-off or for another section, ValidationError when
    it is already published or its stage's requirements are missing.
    """
    if notice.is_published:
        raise ValidationError(_("该公告已经发布。"))
    permissions.ensure(by, "projects.publish_notice", notice)
    _publish(notice, by, on)
    signoffs.approve(item=notice, by=by)
    return notice


# ---------------------------------------------------------------------------
# Households


@transaction.atomic
def create_household(*, project: Project, by: User, **fields: Any) -> Household:
    """Register one household (the one-household form): in the stages an import is allowed in
    (gate `household.register`, ValidationError with the reason otherwise, unless a leader's
    override waits)."""
    ensure_can_edit_project(by, project)
    gates.ensure_allowed("household.register", project=project)
    household = Household(project=project, **fields)
    household.full_clean()
    household.save()
    public_cache.bump()  # the public pages count the project's households and area
    return household


# The survey facts the valuation and the breakdown are computed from, and the ones the
# agreements' parties follow: each group is one gated action of projects.gates.
BASIS_FIELDS = ("area", "use")
OWNERSHIP_FIELDS = ("is_public_housing", "owner_unit")


def frozen_fields(household: Household) -> dict[str, list[str]]:
    """The household's fields that cannot be changed now, each with the Chinese reasons (the
    gates of `household.edit_basis` and `household.edit_ownership`); empty when a leader's
    override waits for that action. What the edit page shows."""
    frozen: dict[str, list[str]] = {}
    for action, names in (
        ("household.edit_basis", BASIS_FIELDS),
        ("household.edit_ownership", OWNERSHIP_FIELDS),
    ):
        reasons = gates.blockers(action, project=household.project, household=household)
        if reasons and not gates.override_waiting(action, household):
            frozen.update({name: reasons for name in names})
    return frozen


def _ensure_dates_in_order(stored: Household, fields: dict[str, Any]) -> None:
    today = timezone.localdate()
    moved = fields.get("moved_out_on", stored.moved_out_on)
    demolished = fields.get("demolished_on", stored.demolished_on)
    if moved and moved > today:
        raise ValidationError(_("搬迁日期不能晚于今天。"))
    if demolished and demolished > today:
        raise ValidationError(_("拆除日期不能晚于今天。"))
    if demolished and not moved:
        raise ValidationError(_("该户尚未登记搬迁，不能登记拆除。"))
    if moved and demolished and demolished < moved:
        raise ValidationError(_("拆除日期不能早于搬迁日期。"))


@transaction.atomic
def update_household(*, household: Household, by: User, **fields: Any) -> Household:
    """Save the household's edited fields (history keeps each old → new value).

    Gated by projects.gates on the household's state before the edit: a change of area or use
    is `household.edit_basis` (only while 登记: the valuation and the breakdown depend on them),
    of public housing or the owning unit `household.edit_ownership` (before any agreement is
    drafted); a move-out date first set is `household.move_out` (signed or decided households,
    judged on the stage of that day), a demolition date `household.demolish` (moved-out
    households). A leader's recorded override lets one blocked change through. Raises
    ValidationError with the Chinese reasons; nothing is saved then."""
    ensure_can_edit_project(by, household.project)
    stored = Household.objects.select_for_update().get(pk=household.pk)
    changed = {name for name, value in fields.items() if getattr(stored, name) != value}
    project = stored.project
    if changed & set(BASIS_FIELDS):
        gates.ensure_allowed("household.edit_basis", project=project, household=stored)
    if changed & set(OWNERSHIP_FIELDS):
        gates.ensure_allowed("household.edit_ownership", project=project, household=stored)
    _ensure_dates_in_order(stored, fields)
    if "moved_out_on" in changed and stored.moved_out_on is None:
        gates.ensure_allowed(
            "household.move_out", project=project, household=stored, today=fields["moved_out_on"]
        )
        stored.moved_out_on = fields["moved_out_on"]
    if "demolished_on" in changed and stored.demolished_on is None:
        gates.ensure_allowed(
            "household.demolish", project=project, household=stored, today=fields["demolished_on"]
        )
    for name, value in fields.items():
        setattr(household, name, value)
    household.full_clean()
    household.save()
    public_cache.bump()  # an area the public pages add up may have changed
    return household


@transaction.atomic
def sign_household(*, household: Household, by: User, signed_on: date, method: str) -> Household:
    """Record the signed agreement: the date and the way of compensation."""
    ensure_can_edit_project(by, household.project)
    if method not in (Household.Method.MONETARY, Household.Method.SWAP):
        raise ValidationError(_("请选择补偿方式。"))
    if signed_on > timezone.localdate():
        raise ValidationError(_("签约日期不能晚于今天。"))
    # The gate's refusal names the household's state (已签约, 已作出补偿决定 …); the check
    # after it holds even when a leader's override let the gate through.
    gates.ensure_allowed(
        "household.sign", project=household.project, household=household, today=signed_on
    )
    if household.is_signed:
        raise ValidationError(_("该户已签约，如需变更请办理补充协议。"))
    household.signed_on = signed_on
    household.method = method
    household.save(update_fields=["signed_on", "method"])
    public_cache.bump()  # the public pages count signed households and their area
    return household


@transaction.atomic
def add_family_member(*, household: Household, by: User, **fields: Any) -> FamilyMember:
    ensure_can_edit_project(by, household.project)
    member = FamilyMember(household=household, **fields)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def add_household_document(
    *, household: Household, by: User, kind: str, title: str, file: File
) -> HouseholdDocument:
    ensure_can_edit_project(by, household.project)
    gates.ensure_allowed("document.add", project=household.project, household=household)
    document = HouseholdDocument(
        household=household, kind=kind, title=title, file=file, uploaded_by=by
    )
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def delete_household_document(*, document: HouseholdDocument, by: User) -> None:
    """Take a wrong file out of the household's archive (一户一档).

    Gated by projects.gates (`document.delete`): only while the household is 登记 or 已评估;
    once it signed or a compensation decision was made, its archive is evidence and keeps
    every file. The row's deletion is kept in its history; the stored file stays so that the
    history can still be read. Raises ValidationError with the Chinese reason."""
    household = Household.objects.select_for_update().get(pk=document.household_id)
    ensure_can_edit_project(by, household.project)
    gates.ensure_allowed("document.delete", project=household.project, household=household)
    document._change_reason = _("删除档案文件")
    document.delete()


# ---------------------------------------------------------------------------
# Compensation plans: the district submits, the city office returns or approves.


@transaction.atomic
def submit_plan(
    *, project: Project, by: User, comment: str = "", **standards: Any
) -> CompensationPlan:
    """Submit a new version of the project's plan (the first, or one answering comments)."""
    ensure_district_of_project(by, project)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    plans = project.plans.all()
    if plans.filter(status=CompensationPlan.Status.SUBMITTED).exists():
        raise ValidationError(_("已有一版方案正在审核，请等待审核结果。"))
    if plans.filter(status=CompensationPlan.Status.APPROVED).exists():
        raise ValidationError(_("补偿方案已批准，不能再提交新版本。"))
    gates.ensure_allowed("plan.submit", project=project)
    latest = plans.order_by("-version").first()
    if latest is not None and latest.status == CompensationPlan.Status.RETURNED:
        latest.status = CompensationPlan.Status.SUPERSEDED
        latest.save(update_fields=["status"])
        signoffs.close(item=latest, by=by, action="resubmit")
    plan = CompensationPlan(
        project=project,
        version=(latest.version + 1) if latest else 1,
        submitted_by=by,
        **standards,
    )
    plan.full_clean()
    plan.save()
    if latest is not None:
        # The new version starts from the previous one's sections (e.g. the swap rules).
        plan_sections.carry_forward(previous=latest, plan=plan)
    PlanReview.objects.create(
        plan=plan, action=PlanReview.Action.SUBMIT, comment=comment, author=by
    )
    signoffs.submit(
        item=plan,
        chain="plan",
        by=by,
        title=str(plan),
        url=plan.get_absolute_url(),
        district=project.district,
        comment=comment,
    )
    return plan


def _decide(plan: CompensationPlan, by: User) -> CompensationPlan:
    plan = CompensationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != CompensationPlan.Status.SUBMITTED:
        raise ValidationError(_("只能审核待审核的方案。"))
    permissions.ensure(by, "projects.review_plan", plan)
    return plan


@transaction.atomic
def return_plan(*, plan: CompensationPlan, by: User, comment: str) -> CompensationPlan:
    """Any step of the review (业务科, 法规科, 领导) returns the plan to the district with a
    comment; the district answers with a new version (submit_plan).

    Raises ValidationError without a comment or when the plan does not wait for review,
    PermissionDenied when the review step waits for another section.
    """
    if not comment.strip():
        raise ValidationError(_("退回方案时必须填写审核意见。"))
    plan = _decide(plan, by)
    signoffs.send_back(item=plan, by=by, comment=comment)
    plan.status = CompensationPlan.Status.RETURNED
    plan.decided_by = by
    plan.decided_at = timezone.now()
    plan.save(update_fields=["status", "decided_by", "decided_at"])
    PlanReview.objects.create(
        plan=plan, action=PlanReview.Action.RETURN, comment=comment, author=by
    )
    return plan


@transaction.atomic
def approve_plan(*, plan: CompensationPlan, by: User, comment: str = "") -> CompensationPlan:
    """Pass the plan's pending review step (core.signoffs "plan": 业务科审核 → 法规科审查 →
    领导批准); the leader's step approves it (Decree 590 art. 10: the plan is reviewed before
    it is published for comment).

    Raises PermissionDenied when the step waits for another section (or `by` signed an
    earlier step), ValidationError when the plan does not wait for review.
    """
    plan = _decide(plan, by)
    gates.ensure_allowed("plan.approve", project=plan.project, obj=plan)
    signoff = signoffs.approve(item=plan, by=by, comment=comment)
    if signoff.state != signoff.State.APPROVED:
        PlanReview.objects.create(
            plan=plan, action=PlanReview.Action.PASS, comment=comment, author=by
        )
        return plan
    plan.status = CompensationPlan.Status.APPROVED
    plan.decided_by = by
    plan.decided_at = timezone.now()
    plan.save(update_fields=["status", "decided_by", "decided_at"])
    PlanReview.objects.create(
        plan=plan, action=PlanReview.Action.APPROVE, comment=comment, author=by
    )
    public_cache.bump()  # an approved plan is published on the project's public page
    return plan


@transaction.atomic
def may_comment_on_plan(user: User, plan: CompensationPlan) -> bool:
    """The project's district office, or office staff of the section whose step the plan
    waits at (core.signoffs): nobody else writes in a plan's thread."""
    if permissions.allowed(user, "projects.submit_plan", plan.project):
        return True
    return user.is_office_staff and signoffs.can_act(user, plan)


def comment_on_plan(*, plan: CompensationPlan, by: User, comment: str) -> PlanReview:
    """A reply in the thread (the district answering, or the reviewing section adding a note).

    Raises PermissionDenied for anybody `may_comment_on_plan` refuses (core.exceptions.NotYet
    for a section whose step is before or after the one the plan waits at)."""
    ensure_can_edit_project(by, plan.project)
    if not may_comment_on_plan(by, plan):
        signoff = signoffs.signoff_for(plan)
        reason = signoffs.refusal(by, signoff) or _("该方案当前没有待办的审核步骤。")
        raise signoffs.refuse(by, signoff, reason)
    if not comment.strip():
        raise ValidationError(_("请填写内容。"))
    return PlanReview.objects.create(
        plan=plan, action=PlanReview.Action.REPLY, comment=comment, author=by
    )
