"""The legal clocks of a project: objections, the stability risk assessment, the suspension
notice, and a compensation decision's road from service to court enforcement.

Every date is computed by core.deadlines with the lengths in settings.LEGAL_CLOCKS; each
window comes with the explanation of how it was computed, which the pages show.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.deadlines import Deadline, WorkCalendar
from core.formatting import cn_date
from core.models import User
from projects import gates
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
from projects.services import (
    draft_notice,
    ensure_can_edit_project,
    ensure_office_staff,
)

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
    "RECONSIDERATION_UNTOLD_MONTHS": gettext_lazy(
        "《中华人民共和国行政复议法》第二十条第三款（补偿决定未告知申请行政复议的权利、"
        "申请期限的，自知道或者应当知道行政行为内容之日起最长不得超过一年）"
    ),
    "REVIEW_ACCEPTANCE_WORKING_DAYS": gettext_lazy(
        "《中华人民共和国行政复议法》第三十条（收到申请后五日内审查，期满未作出不予受理决定的，"
        "自审查期限届满之日起视为受理）、第八十八条第二款（五日按工作日计算）"
    ),
    "REVIEW_DAYS": gettext_lazy(
        "《中华人民共和国行政复议法》第六十二条（自受理申请之日起六十日内作出行政复议决定；"
        "经批准可以延长，延长期限最多不得超过三十日）"
    ),
    "SUIT_MONTHS": gettext_lazy("《中华人民共和国行政诉讼法》第四十六条第一款"),
    "SUIT_UNTOLD_MONTHS": gettext_lazy(
        "《中华人民共和国行政诉讼法》第四十六条、《最高人民法院关于适用〈中华人民共和国"
        "行政诉讼法〉的解释》第六十四条（未告知起诉期限的，从知道或者应当知道行政行为内容之日起"
        "最长不得超过一年）"
    ),
    "SUIT_AFTER_RECONSIDERATION_DAYS": gettext_lazy(
        "《中华人民共和国行政诉讼法》第四十五条（自收到复议决定书之日起十五日内起诉）"
    ),
    "SUIT_AFTER_REVIEW_LAPSED_DAYS": gettext_lazy(
        "《中华人民共和国行政诉讼法》第四十五条（复议机关逾期不作决定的，"
        "自复议期满之日起十五日内起诉）"
    ),
    "WARNING_DAYS": gettext_lazy(
        "《中华人民共和国行政强制法》第五十四条、第六十九条（十日以内期限按工作日计算）"
    ),
    "ENFORCEMENT_APPLICATION_MONTHS": gettext_lazy(
        "《中华人民共和国行政强制法》第五十三条、《国有土地上房屋征收与补偿条例》第二十八条第一款"
    ),
    "ENFORCEMENT_AFTER_JUDGMENT_MONTHS": gettext_lazy(
        "《最高人民法院关于适用〈中华人民共和国行政诉讼法〉的解释》第一百五十三条"
        "（申请执行的期限为二年；法律文书中没有规定履行期限的，从该法律文书送达当事人之日起计算）"
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
    if raised_on > timezone.localdate():
        raise ValidationError(_("异议提出日期不能晚于今天。"))
    if not notice.is_open_on(raised_on):
        if notice.ends_on is None:
            raise ValidationError(_("该公示尚未发布或未设公示期，不能登记异议。"))
        raise ValidationError(
            _("异议须在公示期内提出（%(start)s至%(end)s）。")
            % {
                "start": cn_date(notice.published_on),
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
    gates.ensure_allowed("risk.record", project=project, today=assessed_on)
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
    _not_in_future(fields["issued_on"], _("发文日期"))
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
    # Every date the office watches from here, (what, deadline), soonest first: the next one
    # and, while a reconsideration is pending, the suit and court windows that follow it, so
    # that the case stays on the deadlines list whatever the review body does.
    watch: tuple[tuple[str, Deadline], ...] = ()


POSITIONS = {
    "unserved": gettext_lazy("待送达"),
    "reconsideration_window": gettext_lazy("复议期内"),
    "in_reconsideration": gettext_lazy("行政复议中"),
    "reconsideration_lapsed": gettext_lazy("复议逾期未决，诉讼期内"),
    "suit_window": gettext_lazy("诉讼期内"),
    "in_litigation": gettext_lazy("行政诉讼中"),
    "awaiting_warning": gettext_lazy("待催告"),
    "warning_period": gettext_lazy("催告期内"),
    "may_apply": gettext_lazy("可申请强制执行"),
    "application_lapsed": gettext_lazy("申请强制执行期限已过"),
    "applied": gettext_lazy("已申请强制执行"),
    "closed": gettext_lazy("已办结"),
}


def _noted(deadline: Deadline, *lines: str) -> Deadline:
    """The deadline with notes (a date it assumed, an extension) after its basis line."""
    first, *rest = deadline.explanation
    return replace(deadline, explanation=(first, *lines, *rest))


def _assumed(what: str, day: date, instead: str) -> str:
    return _("未登记%(what)s，暂以%(instead)s%(day)s推算；登记后按登记的日期计算。") % {
        "what": what,
        "instead": instead,
        "day": cn_date(day),
    }


def reconsideration_window(decision: CompensationDecision, calendar: Calendar = None) -> Deadline:
    """The last day to apply for reconsideration: 60 calendar days from service (行政复议法 第二十条
    第一款); at most one year from service when the decision did not state the right and the
    period (第二十条第三款)."""
    if not decision.states_rights:
        name = "RECONSIDERATION_UNTOLD_MONTHS"
        return deadlines.months(
            decision.served_on, clock(name), basis=basis(name), calendar=calendar
        )
    name = "RECONSIDERATION_DAYS"
    return deadlines.days(decision.served_on, clock(name), basis=basis(name), calendar=calendar)


def review_acceptance(
    decision: CompensationDecision, calendar: Calendar = None
) -> tuple[date, Deadline | None]:
    """The day the review body accepted the application: the recorded date, or else the day its
    5-working-day examination lapsed, on which it is taken to have accepted (行政复议法 第三十条;
    its 5-day periods are working days, 第八十八条). Returns (day, the computed Deadline when the
    day was assumed, else None)."""
    if decision.reconsideration_accepted_on:
        return decision.reconsideration_accepted_on, None
    name = "REVIEW_ACCEPTANCE_WORKING_DAYS"
    examined = deadlines.working_days(
        decision.reconsideration_applied_on, clock(name), basis=basis(name), calendar=calendar
    )
    return examined.due, _noted(examined, _("未登记复议受理日期，暂以审查期限届满之日为受理日期"))


def review_deadline(decision: CompensationDecision, calendar: Calendar = None) -> Deadline:
    """The review body's deadline for its decision: 60 calendar days from acceptance, plus the
    recorded extension of at most 30 days (行政复议法 第六十二条)."""
    accepted_on, assumed = review_acceptance(decision, calendar)
    n = clock("REVIEW_DAYS")
    extension = decision.reconsideration_extended_days
    lines = []
    if extension:
        lines.append(
            _("本案复议期限已延长%(days)d日，共%(total)d日")
            % {"days": extension, "total": n + extension}
        )
    if assumed:
        lines.append(_assumed(_("复议受理日期"), accepted_on, _("审查期限届满之日")))
    deadline = deadlines.days(
        accepted_on, n + extension, basis=basis("REVIEW_DAYS"), calendar=calendar
    )
    return _noted(deadline, *lines)


def reconsideration_receipt(decision: CompensationDecision) -> tuple[date, bool]:
    """The day the household received the reconsideration decision, and whether it is assumed
    (no receipt recorded: the decision's own date stands in)."""
    if decision.reconsideration_received_on:
        return decision.reconsideration_received_on, False
    return decision.reconsideration_decided_on, True


def suit_window(decision: CompensationDecision, calendar: Calendar = None) -> Deadline:
    """The last day to go to court.

    - After a reconsideration decision: 15 calendar days from the household's receipt of it
      (行政诉讼法 第四十五条); its date stands in, said so, until the receipt is recorded.
    - When the review body let its period lapse: 15 days from the period's last day (第四十五条).
    - Otherwise 6 months from service (第四十六条); at most one year from service when the
      decision did not state the period (解释 第六十四条).
    """
    n = clock("SUIT_AFTER_RECONSIDERATION_DAYS")
    if decision.reconsideration_decided_on:
        received_on, assumed = reconsideration_receipt(decision)
        deadline = deadlines.days(
            received_on, n, basis=basis("SUIT_AFTER_RECONSIDERATION_DAYS"), calendar=calendar
        )
        if assumed:
            return _noted(
                deadline, _assumed(_("复议决定书送达日期"), received_on, _("复议决定日期"))
            )
        return deadline
    if decision.reconsideration_applied_on:
        review = review_deadline(decision, calendar)
        return _noted(
            deadlines.days(
                review.due, n, basis=basis("SUIT_AFTER_REVIEW_LAPSED_DAYS"), calendar=calendar
            ),
            _("复议期满之日为%(due)s（复议机关作出决定期限）") % {"due": cn_date(review.due)},
        )
    name = "SUIT_MONTHS" if decision.states_rights else "SUIT_UNTOLD_MONTHS"
    return deadlines.months(decision.served_on, clock(name), basis=basis(name), calendar=calendar)


def application_window(decision: CompensationDecision, calendar: Calendar = None) -> Deadline:
    """The last day to apply to the court for enforcement: 3 months after the household's
    periods to apply for reconsideration or go to court lapsed (行政强制法 第五十三条), or
    2 years after a final judgment upholding the decision, counted from the day the judgment,
    which sets no period of performance, was served (行政诉讼法解释 第一百五十三条); until the
    service is recorded the judgment's own date stands in (the earliest it can be), said so."""
    if decision.judgment_final_on:
        name = "ENFORCEMENT_AFTER_JUDGMENT_MONTHS"
        served_on = decision.judgment_served_on or decision.judgment_on
        deadline = deadlines.months(served_on, clock(name), basis=basis(name), calendar=calendar)
        if decision.judgment_served_on:
            return deadline
        return _noted(deadline, _assumed(_("生效判决送达日期"), served_on, _("判决日期")))
    suit = suit_window(decision, calendar)
    name = "ENFORCEMENT_APPLICATION_MONTHS"
    return _noted(
        deadlines.months(suit.due, clock(name), basis=basis(name), calendar=calendar),
        _("自复议、起诉期限届满之日（%(due)s）起算") % {"due": cn_date(suit.due)},
    )


def warning_period(warning: EnforcementWarning, calendar: Calendar = None) -> Deadline:
    """10 working days from the warning's service (行政强制法 第五十四条; its periods of 10 days
    or less are working days, 第六十九条)."""
    return deadlines.working_days(
        warning.served_on, clock("WARNING_DAYS"), basis=basis("WARNING_DAYS"), calendar=calendar
    )


def _reconsideration_steps(
    decision: CompensationDecision, today: date, calendar: WorkCalendar
) -> tuple[list[Step], Deadline | None]:
    """The steps of a reconsideration that was applied for, and the review deadline while the
    body has not decided."""
    accepted_on, assumed = review_acceptance(decision, calendar)
    steps = [
        Step(
            _("复议受理"),
            deadline=assumed,
            done_on=None if assumed else accepted_on,
            note=_("视为受理（推定）") if assumed else "",
        )
    ]
    if decision.reconsideration_decided_on:
        received_on, receipt_assumed = reconsideration_receipt(decision)
        steps.append(Step(_("复议决定"), done_on=decision.reconsideration_decided_on))
        steps.append(
            Step(
                _("复议决定书送达"),
                done_on=received_on,
                note=_("未登记送达日期，暂按复议决定日期") if receipt_assumed else "",
            )
        )
        return steps, None
    review = review_deadline(decision, calendar)
    lapsed = today > review.due
    steps.append(
        Step(
            _("复议机关作出决定期限"),
            deadline=review,
            note=_("复议机关逾期未作决定") if lapsed else "",
        )
    )
    return steps, review


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

    steps.append(
        Step(
            _("送达"),
            done_on=decision.served_on,
            note="" if decision.states_rights else _("决定书未告知权利、期限，适用最长期限"),
        )
    )
    reconsideration = reconsideration_window(decision, calendar)
    steps.append(
        Step(
            _("申请行政复议期限"),
            deadline=reconsideration,
            done_on=decision.reconsideration_applied_on,
            note=_("已申请复议") if decision.reconsideration_applied_on else "",
        )
    )
    review = None
    if decision.reconsideration_applied_on:
        more, review = _reconsideration_steps(decision, today, calendar)
        steps.extend(more)

    suit = suit_window(decision, calendar)
    suit_kind = _("起诉期限（复议逾期未决）") if review else _("诉讼期限")
    steps.append(
        Step(
            _("提起行政诉讼期限"),
            deadline=suit,
            done_on=decision.suit_filed_on,
            note=_("已起诉") if decision.suit_filed_on else "",
        )
    )
    if decision.judgment_on:
        steps.append(
            Step(
                _("判决"),
                done_on=decision.judgment_on,
                note="" if decision.judgment_final_on else _("尚未生效"),
            )
        )
    if decision.suit_filed_on and not decision.judgment_final_on:
        return Road(str(POSITIONS["in_litigation"]), steps, None, "", False, False)
    if decision.judgment_final_on:
        steps.append(Step(_("判决生效"), done_on=decision.judgment_final_on))

    apply_by = application_window(decision, calendar)
    apply_kind = _("申请强制执行期限")
    if review and today <= review.due:
        kind = _("复议机关决定期限")
        steps.append(Step(_("申请法院强制执行期限"), deadline=apply_by))
        return Road(
            str(POSITIONS["in_reconsideration"]),
            steps,
            review,
            kind,
            False,
            False,
            watch=((kind, review), (suit_kind, suit), (apply_kind, apply_by)),
        )
    if not decision.suit_filed_on and today <= suit.due:
        steps.append(Step(_("申请法院强制执行期限"), deadline=apply_by))
        if not decision.reconsideration_applied_on and today <= reconsideration.due:
            kind = _("行政复议期限")
            return Road(
                str(POSITIONS["reconsideration_window"]),
                steps,
                reconsideration,
                kind,
                False,
                False,
                watch=((kind, reconsideration),),
            )
        position = POSITIONS["reconsideration_lapsed"] if review else POSITIONS["suit_window"]
        return Road(
            str(position),
            steps,
            suit,
            suit_kind,
            False,
            False,
            watch=((suit_kind, suit), (apply_kind, apply_by)) if review else ((suit_kind, suit),),
        )

    warning = getattr(decision, "warning", None)
    application = getattr(decision, "application", None)
    announcement = decision.announcement
    steps.append(
        Step(
            _("补偿决定公告"),
            done_on=announcement.published_on if announcement else None,
            note=""
            if announcement and announcement.published_on
            else _("催告、申请强制执行前须公告"),
        )
    )
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
            apply_kind,
            True,
            False,
            watch=((apply_kind, apply_by),),
        )
    if warning is None:
        return Road(
            str(POSITIONS["awaiting_warning"]),
            steps,
            apply_by,
            apply_kind,
            False,
            False,
            watch=((apply_kind, apply_by),),
        )
    if today <= earliest.due:
        kind = _("催告期")
        return Road(
            str(POSITIONS["warning_period"]),
            steps,
            earliest,
            kind,
            False,
            False,
            watch=((kind, earliest),),
        )
    return Road(
        str(POSITIONS["may_apply"]),
        steps,
        apply_by,
        apply_kind,
        False,
        True,
        watch=((apply_kind, apply_by),),
    )


# The compensation app registers where a household's computed compensation is read
# (compensation.calculation's breakdown), so this app never imports it.
_BREAKDOWN_TOTAL: list[Callable[[Household], Decimal | None]] = []


def breakdown_total_source(function: Callable[[Household], Decimal | None]):
    """Register `function(household) -> Decimal | None`: the household's current computed
    compensation in yuan, None when it has no breakdown."""
    _BREAKDOWN_TOTAL[:] = [function]
    return function


def breakdown_total(household: Household) -> Decimal | None:
    return _BREAKDOWN_TOTAL[0](household) if _BREAKDOWN_TOTAL else None


@transaction.atomic
def record_compensation_decision(
    *,
    household: Household,
    by: User,
    number: str,
    decided_on: date,
    amount: Decimal | None = None,
    amount_reason: str = "",
    document: File | None = None,
    states_rights: bool = True,
    reconsideration_body: str = "",
    court: str = "",
) -> CompensationDecision:
    """The district government decides compensation for a household that did not sign
    (国有土地上房屋征收与补偿条例 第二十六条).

    The amount (元) is the household's computed breakdown total (compensation.calculation);
    another amount needs `amount_reason`, kept on the decision and in its history. Raises
    ValidationError for a signed household, one with an open decision, a gate of
    projects.gates ("decision.record") not met, or a changed amount without a reason.

    `states_rights`: whether the decision told the household its rights to reconsideration and
    to sue, the periods and the bodies (reconsideration_body, court); when it did not, the
    windows follow the longer limits (行政复议法 第二十条第三款; 行政诉讼法解释 第六十四条)."""
    ensure_can_edit_project(by, household.project)
    # The gate first: its refusal names the household's state. The checks after it hold even
    # when a leader's override let the gate through.
    gates.ensure_allowed(
        "decision.record", project=household.project, household=household, today=decided_on
    )
    if household.is_signed:
        raise ValidationError(_("该户已签约，不能作出补偿决定。"))
    if household.compensation_decisions.open().exists():
        raise ValidationError(_("该户已有尚未办结的补偿决定。"))
    computed = breakdown_total(household)
    amount_reason = amount_reason.strip()
    if amount is None:
        if computed is None:
            raise ValidationError(_("该户尚无补偿明细，请填写补偿金额并说明理由。"))
        amount = computed
    if amount != computed and not amount_reason:
        raise ValidationError(
            _("补偿金额与该户补偿明细合计%(computed)s元不一致，须填写调整理由。")
            % {"computed": f"{computed:,.2f}" if computed is not None else "—"}
        )
    if amount == computed:
        amount_reason = ""
    decision = CompensationDecision(
        household=household,
        number=number,
        decided_on=decided_on,
        amount=amount,
        amount_reason=amount_reason,
        states_rights=states_rights,
        reconsideration_body=reconsideration_body.strip(),
        court=court.strip(),
        recorded_by=by,
    )
    decision._history_user = by  # simple-history: the actor, also outside a request
    if document is not None:
        decision.document = document
    decision.full_clean()
    decision.save()
    return decision


def _open_decision(decision: CompensationDecision, by: User) -> CompensationDecision:
    """The decision, locked, for `by` to change: its history names `by` (_history_user), also
    outside a request (the demo, a command), as the request's user would."""
    decision = CompensationDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.closed_on:
        raise ValidationError(_("该补偿决定已办结。"))
    decision._history_user = by
    return decision


def _ensure_announced(decision: CompensationDecision, on: date) -> None:
    """The decision is announced within the expropriation area (国有土地上房屋征收与补偿条例
    第二十六条) before the office warns the household or applies to the court."""
    notice = decision.announcement
    if notice is None or notice.published_on is None or notice.published_on > on:
        raise ValidationError(
            _(
                "补偿决定尚未公告。依照《国有土地上房屋征收与补偿条例》第二十六条，"
                "补偿决定应在房屋征收范围内予以公告，公告后方可催告、申请强制执行。"
            )
        )


def _not_in_future(day: date, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("%(label)s不能晚于今天。") % {"label": label})


@transaction.atomic
def serve_decision(
    *, decision: CompensationDecision, by: User, served_on: date, proof: File | None = None
) -> CompensationDecision:
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision, by)
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
    accepted_on: date | None = None,
    extended_days: int | None = 0,
    decided_on: date | None = None,
    received_on: date | None = None,
    outcome: str = "",
) -> CompensationDecision:
    """Record the reconsideration as far as it has gone: the application, its acceptance, the
    review body's extension (at most 30 days, 行政复议法 第六十二条), its decision and the day
    the household received that decision (送达日期), from which the suit window runs.

    Raises ValidationError (in Chinese) for dates out of order, in the future, or an
    application after the reconsideration window."""
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision, by)
    if not decision.served_on:
        raise ValidationError(_("补偿决定尚未送达。"))
    window = reconsideration_window(decision)
    if applied_on > window.due:
        raise ValidationError(
            _("复议申请日期已超过复议期限（%(due)s）。") % {"due": cn_date(window.due)}
        )
    extended_days = extended_days or 0
    if not 0 <= extended_days <= 30:
        raise ValidationError(_("复议期限延长最多不超过30日（行政复议法第六十二条）。"))
    if accepted_on and accepted_on < applied_on:
        raise ValidationError(_("复议受理日期不能早于申请日期。"))
    if decided_on and decided_on < (accepted_on or applied_on):
        raise ValidationError(_("复议决定日期不能早于申请、受理日期。"))
    if decided_on and not outcome:
        raise ValidationError(_("请选择复议结果。"))
    if received_on and not decided_on:
        raise ValidationError(_("请先填写复议决定日期，再填写复议决定书送达日期。"))
    if received_on and received_on < decided_on:
        raise ValidationError(_("复议决定书送达日期不能早于复议决定日期。"))
    for day, label in (
        (applied_on, _("申请复议日期")),
        (accepted_on, _("复议受理日期")),
        (decided_on, _("复议决定日期")),
        (received_on, _("复议决定书送达日期")),
    ):
        if day:
            _not_in_future(day, label)
    decision.reconsideration_applied_on = applied_on
    decision.reconsideration_accepted_on = accepted_on
    decision.reconsideration_extended_days = extended_days
    decision.reconsideration_decided_on = decided_on
    decision.reconsideration_received_on = received_on if decided_on else None
    decision.reconsideration_outcome = outcome if decided_on else ""
    fields = [
        "reconsideration_applied_on",
        "reconsideration_accepted_on",
        "reconsideration_extended_days",
        "reconsideration_decided_on",
        "reconsideration_received_on",
        "reconsideration_outcome",
    ]
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
    judgment_on: date | None = None,
    final_on: date | None = None,
    served_on: date | None = None,
    outcome: str = "",
) -> CompensationDecision:
    """Record the suit, the judgment (judgment_on), the day it took effect (final_on; empty
    while an appeal may still be brought or is pending) and the day the final judgment was
    served (served_on). A final judgment upholding the decision opens the 2-year enforcement
    window from its service (行政诉讼法解释 第一百五十三条).

    Raises ValidationError (Chinese message) for dates out of order."""
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision, by)
    if not decision.served_on:
        raise ValidationError(_("补偿决定尚未送达。"))
    if judgment_on and judgment_on < filed_on:
        raise ValidationError(_("判决日期不能早于起诉日期。"))
    if final_on and final_on < (judgment_on or filed_on):
        raise ValidationError(_("判决生效日期不能早于起诉日期和判决日期。"))
    if final_on and not judgment_on:
        raise ValidationError(_("请填写判决日期。"))
    if served_on and not final_on:
        raise ValidationError(_("判决尚未生效，不能登记生效判决送达日期。"))
    if served_on and served_on < judgment_on:
        raise ValidationError(_("生效判决送达日期不能早于判决日期。"))
    if judgment_on and not outcome:
        raise ValidationError(_("请选择判决结果。"))
    decision.suit_filed_on = filed_on
    decision.judgment_on = judgment_on
    decision.judgment_final_on = final_on
    decision.judgment_served_on = served_on
    decision.judgment_outcome = outcome if judgment_on else ""
    fields = [
        "suit_filed_on",
        "judgment_on",
        "judgment_final_on",
        "judgment_served_on",
        "judgment_outcome",
    ]
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
    decision = _open_decision(decision, by)
    _not_in_future(served_on, _("催告书送达日期"))
    if hasattr(decision, "warning"):
        raise ValidationError(_("已登记催告。"))
    current = road(decision, served_on)
    if current.position not in (POSITIONS["awaiting_warning"], POSITIONS["application_lapsed"]):
        raise ValidationError(
            _("当前处于“%(position)s”，复议、诉讼期限届满后方可催告。")
            % {"position": current.position}
        )
    _ensure_announced(decision, served_on)
    warning = EnforcementWarning(decision=decision, served_on=served_on, recorded_by=by)
    warning._history_user = by
    if document is not None:
        warning.document = document
    warning.save()
    return warning


# The announcement's title and text come from the office's template, which the compensation
# app keeps with its other documents; it registers its writer in AppConfig.ready(), so that
# projects never imports the apps that extend it.
AnnouncementWriter = Callable[[CompensationDecision, date], tuple[str, str]]
_ANNOUNCEMENT_WRITERS: list[AnnouncementWriter] = []


def register_announcement_writer(writer: AnnouncementWriter) -> AnnouncementWriter:
    if writer not in _ANNOUNCEMENT_WRITERS:
        _ANNOUNCEMENT_WRITERS.append(writer)
    return writer


@transaction.atomic
def announce_decision(*, decision: CompensationDecision, by: User, published_on: date) -> Notice:
    """Draft the 补偿决定公告 (国有土地上房屋征收与补偿条例 第二十六条) for publication on
    `published_on`: a notice of kind Notice.Kind.COMPENSATION_DECISION, its text from the
    office's template with personal data masked, linked to the decision and sent for a leader's
    sign-off like every notice (core.signoffs "notice": 领导签发, then 法规科 publishes it on the
    notice page, projects.services.publish_notice). The warning and the court application wait
    for its publication.

    Raises ValidationError (in Chinese) when the decision is closed or its announcement already
    drafted, or the date is before the decision or in the future; PermissionDenied for a
    district user (the city office publishes notices)."""
    ensure_office_staff(by)
    decision = _open_decision(decision, by)
    if decision.announcement_id:
        if decision.announcement.is_published:
            raise ValidationError(_("该补偿决定已公告。"))
        raise ValidationError(_("该补偿决定的公告已起草，待领导签发后由法规科发布。"))
    if published_on < decision.decided_on:
        raise ValidationError(_("公告日期不能早于决定作出日期。"))
    _not_in_future(published_on, _("公告日期"))
    if not _ANNOUNCEMENT_WRITERS:
        raise ImproperlyConfigured("No writer for the compensation-decision announcement")
    title, body = _ANNOUNCEMENT_WRITERS[-1](decision, published_on)
    notice = draft_notice(
        project=decision.household.project,
        by=by,
        kind=Notice.Kind.COMPENSATION_DECISION,
        title=title,
        body=body,
    )
    decision.announcement = notice
    decision.save(update_fields=["announcement"])
    return notice


def before_announcement_published(notice: Notice, on: date) -> None:
    """Called by projects.services when a 补偿决定公告 is published on `on`: not before its
    decision (ValidationError), and its text carries the real publication date."""
    decision = CompensationDecision.objects.filter(announcement=notice).first()
    if decision is None:
        return
    if on < decision.decided_on:
        raise ValidationError(_("公告日期不能早于决定作出日期。"))
    if _ANNOUNCEMENT_WRITERS:
        notice.title, notice.body = _ANNOUNCEMENT_WRITERS[-1](decision, on)


CHECKLIST = ("has_decision", "has_service_proof", "has_risk_assessment", "has_compensation_proof")


@transaction.atomic
def file_enforcement_application(
    *, decision: CompensationDecision, by: User, filed_on: date, court: str, **checklist: bool
) -> EnforcementApplication:
    """Apply to the court: only after the warning period, within the application window,
    with every document the application must contain."""
    ensure_office_staff(by)
    decision = _open_decision(decision, by)
    _not_in_future(filed_on, _("申请日期"))
    if hasattr(decision, "application"):
        raise ValidationError(_("已申请强制执行。"))
    current = road(decision, filed_on)
    if not current.may_apply:
        raise ValidationError(
            _("当前处于“%(position)s”，不能申请强制执行。") % {"position": current.position}
        )
    _ensure_announced(decision, filed_on)
    missing = [
        str(EnforcementApplication._meta.get_field(name).verbose_name)
        for name in CHECKLIST
        if not checklist.get(name)
    ]
    if missing:
        raise ValidationError(_("申请材料不全：%(items)s。") % {"items": "、".join(missing)})
    application = EnforcementApplication(
        decision=decision,
        filed_on=filed_on,
        court=court,
        recorded_by=by,
        **{name: True for name in CHECKLIST},
    )
    application._history_user = by
    application.save(force_insert=True)
    return application


@transaction.atomic
def close_decision(
    *, decision: CompensationDecision, by: User, closed_on: date, closure: str
) -> CompensationDecision:
    """办结. 已强制执行 (what settles the household for the archive stage and the final accounts,
    projects.models.unsettled_condition) only once the court was applied to (条例 第二十八条,
    file_enforcement_application) and did not refuse, on or after the day of the application:
    a decision still within its reconsideration or litigation windows cannot be closed so."""
    ensure_can_edit_project(by, decision.household.project)
    decision = _open_decision(decision, by)
    if closure not in CompensationDecision.Closure.values:
        raise ValidationError(_("请选择办结方式。"))
    if closed_on < decision.decided_on:
        raise ValidationError(_("办结日期不能早于决定作出日期。"))
    _not_in_future(closed_on, _("办结日期"))
    if closure == CompensationDecision.Closure.ENFORCED:
        application = getattr(decision, "application", None)
        if application is None:
            raise ValidationError(_("尚未申请人民法院强制执行，不能以“已强制执行”办结。"))
        if application.ruling == EnforcementApplication.Ruling.REFUSED:
            raise ValidationError(_("人民法院已裁定不予执行，不能以“已强制执行”办结。"))
        if closed_on < application.filed_on:
            raise ValidationError(_("办结日期不能早于申请强制执行的日期。"))
    decision.closed_on = closed_on
    decision.closure = closure
    decision.save(update_fields=["closed_on", "closure"])
    return decision
