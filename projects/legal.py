"""The legal clocks of a project: objections, the stability risk assessment, the suspension
notice, and a compensation decision's road from service to court enforcement.

Every date is computed by core.deadlines with the lengths in settings.LEGAL_CLOCKS; each
window comes with the explanation of how it was computed, which the pages show.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.deadlines import Deadline, WorkCalendar
from core.formatting import cn_date
from core.models import User
from projects.models import (
    CompensationDecision,
    EnforcementApplication,
    EnforcementWarning,
    Household,
    Notice,
    Objection,
    Project,
    RiskAssessment,
    SuspensionNotice,
)
from projects.services import ensure_can_edit_project, ensure_office_staff

Calendar = WorkCalendar | None


def clock(name: str) -> int:
    return settings.LEGAL_CLOCKS[name]


# The legal source of each clock and of its way of counting, cited in its explanation. Only
# 行政强制法 第六十九条 (and 行政复议法 第八十八条 for its 3/5/7/10-day periods) make short periods
# working days; every other period here counts calendar days or months.
BASIS = {
    "OBJECTION_ANSWER_DAYS": gettext_lazy(
        "本办公室异议答复时限规定（法律、法规未规定该期限按工作日计算，"
        "依《中华人民共和国民法典》第二百零一条至第二百零三条按自然日计算）"
    ),
    "RECONSIDERATION_DAYS": gettext_lazy(
        "《中华人民共和国行政复议法》第二十条第一款（六十日不属于第八十八条第二款"
        "按工作日计算的三日、五日、七日、十日期间）"
    ),
    "SUIT_MONTHS": gettext_lazy("《中华人民共和国行政诉讼法》第四十六条第一款"),
    "SUIT_AFTER_RECONSIDERATION_DAYS": gettext_lazy("《中华人民共和国行政诉讼法》第四十五条"),
    "WARNING_DAYS": gettext_lazy(
        "《中华人民共和国行政强制法》第五十四条、第六十九条（十日以内期限按工作日计算）"
    ),
    "ENFORCEMENT_APPLICATION_MONTHS": gettext_lazy(
        "《中华人民共和国行政强制法》第五十三条、《国有土地上房屋征收与补偿条例》第二十八条第一款"
    ),
}


def basis(name: str) -> str:
    return str(BASIS[name])


# ---------------------------------------------------------------------------
# Objections in the 一榜 / 二榜 posting periods

OBJECTION_NOTICE_KINDS = (Notice.Kind.FIRST_LIST, Notice.Kind.SECOND_LIST)


@transaction.atomic
def raise_objection(
    *, notice: Notice, household: Household, by: User, raised_on: date, content: str
) -> Objection:
    ensure_can_edit_project(by, notice.project)
    if notice.kind not in OBJECTION_NOTICE_KINDS:
        raise ValidationError(_("只有一榜、二榜公示可以登记异议。"))
    if household.project_id != notice.project_id:
        raise ValidationError(_("该户不属于本项目。"))
    if not notice.is_open_on(raised_on):
        if notice.ends_on is None:
            raise ValidationError(_("该公示尚未发布或未设公示期，不能登记异议。"))
        raise ValidationError(
            _("异议须在公示期内提出（%(start)s至%(end)s）。")
            % {
                "start": cn_date(notice.published_on + timedelta(days=1)),
                "end": cn_date(notice.ends_on),
            }
        )
    if not content.strip():
        raise ValidationError(_("请填写异议内容。"))
    return Objection.objects.create(
        notice=notice, household=household, raised_on=raised_on, content=content, recorded_by=by
    )


def objection_answer_deadline(objection: Objection, calendar: Calendar = None) -> Deadline:
    """Calendar days from the day the objection was raised (BASIS["OBJECTION_ANSWER_DAYS"])."""
    return deadlines.days(
        objection.raised_on,
        clock("OBJECTION_ANSWER_DAYS"),
        basis=basis("OBJECTION_ANSWER_DAYS"),
        calendar=calendar,
    )


@transaction.atomic
def answer_objection(
    *, objection: Objection, by: User, answer: str, answered_on: date
) -> Objection:
    ensure_office_staff(by)
    if objection.is_answered:
        raise ValidationError(_("该异议已答复。"))
    if not answer.strip():
        raise ValidationError(_("请填写答复意见。"))
    if answered_on < objection.raised_on:
        raise ValidationError(_("答复日期不能早于异议提出日期。"))
    objection.answer = answer
    objection.answered_on = answered_on
    objection.answered_by = by
    objection.save(update_fields=["answer", "answered_on", "answered_by"])
    return objection


# ---------------------------------------------------------------------------
# Social stability risk assessment


def risk_level(*, surveyed: int, opposed: int) -> str:
    share = Decimal(opposed) * 100 / Decimal(surveyed)
    if share >= settings.RISK_HIGH_FROM_PERCENT:
        return RiskAssessment.Level.HIGH
    if share >= settings.RISK_MEDIUM_FROM_PERCENT:
        return RiskAssessment.Level.MEDIUM
    return RiskAssessment.Level.LOW


@transaction.atomic
def record_risk_assessment(
    *,
    project: Project,
    by: User,
    assessed_on: date,
    households_surveyed: int,
    households_opposed: int,
    conclusion: str = "",
    document: File | None = None,
) -> RiskAssessment:
    ensure_can_edit_project(by, project)
    if households_surveyed <= 0:
        raise ValidationError(_("调查户数必须大于0。"))
    if households_opposed > households_surveyed:
        raise ValidationError(_("反对户数不能多于调查户数。"))
    assessment = RiskAssessment(
        project=project,
        assessed_on=assessed_on,
        households_surveyed=households_surveyed,
        households_opposed=households_opposed,
        level=risk_level(surveyed=households_surveyed, opposed=households_opposed),
        conclusion=conclusion,
        recorded_by=by,
    )
    if document is not None:
        assessment.document = document
    assessment.full_clean()
    assessment.save()
    return assessment


# ---------------------------------------------------------------------------
# The suspension notice to other agencies (at most one year)


@transaction.atomic
def record_suspension(*, project: Project, by: User, **fields: Any) -> SuspensionNotice:
    ensure_office_staff(by)
    months = fields["months"]
    if not 1 <= months <= 12:
        raise ValidationError(_("暂停办理期限最长为一年（1至12个月）。"))
    suspension = SuspensionNotice(project=project, recorded_by=by, **fields)
    # A legal maximum, not a time limit for an act: it does not roll past a holiday.
    suspension.expires_on = deadlines.add_months(fields["issued_on"], months)
    suspension.full_clean()
    suspension.save()
    return suspension


# ---------------------------------------------------------------------------
# Compensation decisions and the road to court enforcement


@dataclass(frozen=True)
class Step:
    """One step on a decision's road: a window with its computed end, or an event."""

    name: str
    deadline: Deadline | None = None
    done_on: date | None = None
    note: str = ""


@dataclass(frozen=True)
class Road:
    """Where an unsigned household's compensation decision stands, with every window."""

    position: str  # what is happening now, for people
    steps: list[Step]
    next_deadline: Deadline | None  # the next date the office must watch or act by
    next_kind: str  # what that date is
    is_overdue: bool
    may_apply: bool  # the office may apply to the court today


POSITIONS = {
    "unserved": gettext_lazy("待送达"),
    "reconsideration_window": gettext_lazy("复议期内"),
    "in_reconsideration": gettext_lazy("行政复议中"),
    "suit_window": gettext_lazy("诉讼期内"),
    "in_litigation": gettext_lazy("行政诉讼中"),
    "awaiting_warning": gettext_lazy("待催告"),
    "warning_period": gettext_lazy("催告期内"),
    "may_apply": gettext_lazy("可申请强制执行"),
    "application_lapsed": gettext_lazy("申请强制执行期限已过"),
    "applied": gettext_lazy("已申请强制执行"),
    "closed": gettext_lazy("已办结"),
}


def reconsideration_window(decision: CompensationDecision, calendar: Calendar = None) -> Deadline:
    return deadlines.days(
        decision.served_on,
        clock("RECONSIDERATION_DAYS"),
        basis=basis("RECONSIDERATION_DAYS"),
        calendar=calendar,
    )


def suit_window(decision: CompensationDecision, calendar: Calendar = None) -> Deadline:
    """Six months from service; 15 days from a reconsideration decision when there was one."""
    if decision.reconsideration_decided_on:
        return deadlines.days(
            decision.reconsideration_decided_on,
            clock("SUIT_AFTER_RECONSIDERATION_DAYS"),
            basis=basis("SUIT_AFTER_RECONSIDERATION_DAYS"),
            calendar=calendar,
        )
    return deadlines.months(
        decision.served_on, clock("SUIT_MONTHS"), basis=basis("SUIT_MONTHS"), calendar=calendar
    )


def application_window(decision: CompensationDecision, calendar: Calendar = None) -> Deadline:
    """Three months after the last day on which the household could still have gone to court
    (or after a final judgment upholding the decision)."""
    start = decision.judgment_final_on or suit_window(decision, calendar).due
    return deadlines.months(
        start,
        clock("ENFORCEMENT_APPLICATION_MONTHS"),
        basis=basis("ENFORCEMENT_APPLICATION_MONTHS"),
        calendar=calendar,
    )


def warning_period(warning: EnforcementWarning, calendar: Calendar = None) -> Deadline:
    return deadlines.working_days(
        warning.served_on, clock("WARNING_DAYS"), basis=basis("WARNING_DAYS"), calendar=calendar
    )


def road(decision: CompensationDecision, today: date, calendar: Calendar = None) -> Road:
    """Compute the decision's place on the road and every window, from its facts alone.

    Pass one WorkCalendar when computing many roads: it reads the holiday table once."""
    calendar = calendar or deadlines.WorkCalendar()
    steps = [Step(_("作出补偿决定"), done_on=decision.decided_on)]
    if decision.closed_on:
        steps.append(Step(decision.get_closure_display(), done_on=decision.closed_on))
        return Road(str(POSITIONS["closed"]), steps, None, "", False, False)
    if not decision.served_on:
        return Road(str(POSITIONS["unserved"]), steps, None, "", False, False)

    steps.append(Step(_("送达"), done_on=decision.served_on))
    reconsideration = reconsideration_window(decision, calendar)
    steps.append(
        Step(
            _("申请行政复议期限"),
            deadline=reconsideration,
            done_on=decision.reconsideration_applied_on,
            note=_("已申请复议") if decision.reconsideration_applied_on else "",
        )
    )
    if decision.reconsideration_applied_on and not decision.reconsideration_decided_on:
        return Road(str(POSITIONS["in_reconsideration"]), steps, None, "", False, False)
    if decision.reconsideration_decided_on:
        steps.append(Step(_("复议决定"), done_on=decision.reconsideration_decided_on))

    suit = suit_window(decision, calendar)
    steps.append(
        Step(
            _("提起行政诉讼期限"),
            deadline=suit,
            done_on=decision.suit_filed_on,
            note=_("已起诉") if decision.suit_filed_on else "",
        )
    )
    if decision.suit_filed_on and not decision.judgment_final_on:
        return Road(str(POSITIONS["in_litigation"]), steps, None, "", False, False)
    if decision.judgment_final_on:
        steps.append(Step(_("判决生效"), done_on=decision.judgment_final_on))
    if not decision.suit_filed_on and today <= suit.due:
        if not decision.reconsideration_applied_on and today <= reconsideration.due:
            return Road(
                str(POSITIONS["reconsideration_window"]),
                steps,
                reconsideration,
                _("行政复议期限"),
                False,
                False,
            )
        return Road(str(POSITIONS["suit_window"]), steps, suit, _("诉讼期限"), False, False)

    apply_by = application_window(decision, calendar)
    warning = getattr(decision, "warning", None)
    application = getattr(decision, "application", None)
    earliest = warning_period(warning, calendar) if warning else None
    steps.append(
        Step(
            _("催告"),
            deadline=earliest,
            done_on=warning.served_on if warning else None,
            note=_("催告书送达后满期方可申请") if warning else "",
        )
    )
    steps.append(
        Step(
            _("申请法院强制执行期限"),
            deadline=apply_by,
            done_on=application.filed_on if application else None,
        )
    )
    if application:
        return Road(str(POSITIONS["applied"]), steps, None, "", False, False)
    if today > apply_by.due:
        return Road(
            str(POSITIONS["application_lapsed"]),
            steps,
            apply_by,
            _("申请强制执行期限"),
            True,
            False,
        )
    if warning is None:
        return Road(
            str(POSITIONS["awaiting_warning"]), steps, apply_by, _("申请强制执行期限"), False, False
        )
    if today <= earliest.due:
        return Road(str(POSITIONS["warning_period"]), steps, earliest, _("催告期"), False, False)
    return Road(str(POSITIONS["may_apply"]), steps, apply_by, _("申请强制执行期限"), False, True)


@transaction.atomic
def record_compensation_decision(
    *,
    household: Household,
    by: User,
    number: str,
    decided_on: date,
    amount: Decimal,
    document: File | None = None,
) -> CompensationDecision:
    """The district government decides compensation for a household that did not sign."""
    ensure_can_edit_project(by, household.project)
    if household.is_signed:
        raise ValidationError(_("该户已签约，不能作出补偿决定。"))
    if household.compensation_decisions.open().exists():
        raise ValidationError(_("该户已有尚未办结的补偿决定。"))
    decision = CompensationDecision(
        household=household, number=number, decided_on=decided_on, amount=amount, recorded_by=by
    )
    if document is not None:
        decision.document = document
    decision.full_clean()
    decision.save()
    return decision


def _open_decision(decision: CompensationDecision) -> CompensationDecision:
    decision = CompensationDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.closed_on:
        raise ValidationError(_("该补偿决定已办结。"))
    return decision


def _not_in_future(day: date, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("%(label)s不能晚于今天。") % {"label": label})


@transaction.atomic
def serve_decision(
    *, decision: CompensationDecision, by: User, served_on: date, proof: File | None = None
) -> CompensationDecision:
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision)
    if decision.served_on:
        raise ValidationError(_("送达日期已登记。"))
    if served_on < decision.decided_on:
        raise ValidationError(_("送达日期不能早于决定作出日期。"))
    _not_in_future(served_on, _("送达日期"))
    decision.served_on = served_on
    fields = ["served_on"]
    if proof is not None:
        decision.service_proof = proof
        fields.append("service_proof")
    decision.save(update_fields=fields)
    return decision


@transaction.atomic
def record_reconsideration(
    *,
    decision: CompensationDecision,
    by: User,
    applied_on: date,
    decided_on: date | None = None,
    outcome: str = "",
) -> CompensationDecision:
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision)
    if not decision.served_on:
        raise ValidationError(_("补偿决定尚未送达。"))
    window = reconsideration_window(decision)
    if applied_on > window.due:
        raise ValidationError(
            _("复议申请日期已超过复议期限（%(due)s）。") % {"due": cn_date(window.due)}
        )
    if decided_on and decided_on < applied_on:
        raise ValidationError(_("复议决定日期不能早于申请日期。"))
    if decided_on and not outcome:
        raise ValidationError(_("请选择复议结果。"))
    decision.reconsideration_applied_on = applied_on
    decision.reconsideration_decided_on = decided_on
    decision.reconsideration_outcome = outcome if decided_on else ""
    fields = ["reconsideration_applied_on", "reconsideration_decided_on", "reconsideration_outcome"]
    if outcome == CompensationDecision.Outcome.REVOKED:
        decision.closed_on = decided_on
        decision.closure = CompensationDecision.Closure.REVOKED
        fields += ["closed_on", "closure"]
    decision.save(update_fields=fields)
    return decision


@transaction.atomic
def record_litigation(
    *,
    decision: CompensationDecision,
    by: User,
    filed_on: date,
    final_on: date | None = None,
    outcome: str = "",
) -> CompensationDecision:
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision)
    if not decision.served_on:
        raise ValidationError(_("补偿决定尚未送达。"))
    if final_on and final_on < filed_on:
        raise ValidationError(_("判决生效日期不能早于起诉日期。"))
    if final_on and not outcome:
        raise ValidationError(_("请选择判决结果。"))
    decision.suit_filed_on = filed_on
    decision.judgment_final_on = final_on
    decision.judgment_outcome = outcome if final_on else ""
    fields = ["suit_filed_on", "judgment_final_on", "judgment_outcome"]
    if outcome == CompensationDecision.Outcome.REVOKED:
        decision.closed_on = final_on
        decision.closure = CompensationDecision.Closure.REVOKED
        fields += ["closed_on", "closure"]
    decision.save(update_fields=fields)
    return decision


@transaction.atomic
def serve_warning(
    *, decision: CompensationDecision, by: User, served_on: date, document: File | None = None
) -> EnforcementWarning:
    """The formal warning can only be served once the household's windows have closed."""
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision)
    _not_in_future(served_on, _("催告书送达日期"))
    if hasattr(decision, "warning"):
        raise ValidationError(_("已登记催告。"))
    current = road(decision, served_on)
    if current.position not in (POSITIONS["awaiting_warning"], POSITIONS["application_lapsed"]):
        raise ValidationError(
            _("当前处于“%(position)s”，复议、诉讼期限届满后方可催告。")
            % {"position": current.position}
        )
    warning = EnforcementWarning(decision=decision, served_on=served_on, recorded_by=by)
    if document is not None:
        warning.document = document
    warning.save()
    return warning


CHECKLIST = ("has_decision", "has_service_proof", "has_risk_assessment", "has_compensation_proof")


@transaction.atomic
def file_enforcement_application(
    *, decision: CompensationDecision, by: User, filed_on: date, court: str, **checklist: bool
) -> EnforcementApplication:
    """Apply to the court: only after the warning period, within the application window,
    with every document the application must contain."""
    ensure_office_staff(by)
    decision = _open_decision(decision)
    _not_in_future(filed_on, _("申请日期"))
    if hasattr(decision, "application"):
        raise ValidationError(_("已申请强制执行。"))
    current = road(decision, filed_on)
    if not current.may_apply:
        raise ValidationError(
            _("当前处于“%(position)s”，不能申请强制执行。") % {"position": current.position}
        )
    missing = [
        str(EnforcementApplication._meta.get_field(name).verbose_name)
        for name in CHECKLIST
        if not checklist.get(name)
    ]
    if missing:
        raise ValidationError(_("申请材料不全：%(items)s。") % {"items": "、".join(missing)})
    return EnforcementApplication.objects.create(
        decision=decision,
        filed_on=filed_on,
        court=court,
        recorded_by=by,
        **{name: True for name in CHECKLIST},
    )


@transaction.atomic
def close_decision(
    *, decision: CompensationDecision, by: User, closed_on: date, closure: str
) -> CompensationDecision:
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision)
    if closure not in CompensationDecision.Closure.values:
        raise ValidationError(_("请选择办结方式。"))
    if closed_on < decision.decided_on:
        raise ValidationError(_("办结日期不能早于决定作出日期。"))
    decision.closed_on = closed_on
    decision.closure = closure
    decision.save(update_fields=["closed_on", "closure"])
    return decision
