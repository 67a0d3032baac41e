"""Writes on petition cases, visits and duty rosters.

Every function validates, writes in one transaction and records the step (who, when, the
document) next to the simple_history rows. A case is locked (SELECT ... FOR UPDATE) before a
step, so two clerks acting at once cannot both accept it or both extend it.

Who may act: office staff handle cases, visits and rosters (the office receives petitions;
district users read their own district's cases). An extension needs the approval of the
office's head (信访工作条例: 经本机关负责人批准), so only a leader records it.
District users may add documents to their district's cases (e.g. the district's findings on a
case referred to it).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.deadlines import Deadline
from core.models import District, Office, User
from petitions import deadlines
from petitions.models import (
    Channel,
    DutyRoster,
    DutyShift,
    Petition,
    PetitionCounter,
    PetitionDocument,
    Petitioner,
    PetitionStep,
    ReviewOutcome,
    Route,
    Status,
    Visit,
)
from projects.models import Household, Project
from projects.services import ensure_office_staff

# Look-up codes: 10 characters of Crockford's base32 (50 bits), printed as two groups of five.
# Reference numbers are sequential, so the code is the only secret; with the per-case lockout
# (5 tries a quarter hour) guessing one is out of reach. Crockford's alphabet has no I, L, O, U,
# and reading O as 0 and I, L as 1 forgives the usual misreadings.
LOOKUP_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LOOKUP_CODE_LENGTH = 10
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
Step = PetitionStep.Kind
DocKind = PetitionDocument.Kind


# ---------------------------------------------------------------------------
# Who may do what


def ensure_can_view_personal_data(user: User, petition: Petition) -> None:
    """Only users who can see the case see who brought it (the views read through
    core.scoping first; this guards services called from elsewhere)."""
    if not (user.is_office_staff or user.district_id == petition.district_id):
        raise PermissionDenied(_("您无权查看该信访件。"))


def ensure_leader(user: User) -> None:
    if not permissions.allowed(user, "petitions.leader_decision"):
        raise PermissionDenied(_("延长办理期限须经本机关负责人批准，请由领导操作。"))


# ---------------------------------------------------------------------------
# Reference numbers and look-up codes


def normalize_code(code: str) -> str:
    """The code as issued: upper case, without spaces or hyphens, misread letters mapped."""
    return "".join(code.upper().split()).replace("-", "").translate(_MISREAD)


def lookup_digest(reference: str, code: str) -> str:
    """A keyed hash of the code: a copy of the database alone does not give the codes."""
    code = normalize_code(code)
    return salted_hmac("petitions.lookup", f"{reference}:{code}", algorithm="sha256").hexdigest()


def code_matches(petition: Petition, code: str) -> bool:
    return constant_time_compare(petition.lookup_digest, lookup_digest(petition.reference, code))


def _new_code() -> str:
    """A new look-up code as printed on the receipt, e.g. "7KQ2M-XH9PD"."""
    code = "".join(secrets.choice(LOOKUP_CODE_ALPHABET) for _ in range(LOOKUP_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def _next_reference(year: int) -> str:
    PetitionCounter.objects.get_or_create(year=year)
    counter = PetitionCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"XF{year}-{counter.last:04d}"


# ---------------------------------------------------------------------------
# Registration


@dataclass(frozen=True)
class Registration:
    """A new case and its look-up code, which is shown once and never stored in clear."""

    petition: Petition
    code: str


def _check_not_future(day: date, today: date, label: str) -> None:
    if day > today:
        raise ValidationError(_("%(label)s不能晚于今天。") % {"label": label})


def _place(
    *, district: District | None, project: Project | None, household: Household | None
) -> District:
    """A case's district is its project's; without a project, the one given."""
    if household is not None and (project is None or household.project_id != project.pk):
        raise ValidationError(_("所选被征收户不属于所选项目。"))
    if project is not None:
        if district is not None and district.pk != project.district_id:
            raise ValidationError(_("所属区县应与涉及项目的区县一致。"))
        return project.district
    if district is None:
        raise ValidationError(_("请选择所属区县或涉及项目。"))
    return district


@transaction.atomic
def register_petition(
    *,
    by: User,
    received_on: date,
    channel: str,
    category: str,
    request: str,
    petitioners: list[dict[str, Any]],
    district: District | None = None,
    project: Project | None = None,
    household: Household | None = None,
    people_count: int = 1,
    referred_by: str = "",
    referral_number: str = "",
    repeat_of: Petition | None = None,
    visit: Visit | None = None,
    today: date | None = None,
) -> Registration:
    """Register a case (from a visit, a letter, a call, online, or a superior's referral)."""
    ensure_office_staff(by)
    today = today or timezone.localdate()
    _check_not_future(received_on, today, _("收到日期"))
    if not petitioners:
        raise ValidationError(_("请至少登记一名信访人。"))
    if people_count < len(petitioners):
        raise ValidationError(_("信访人数不能少于登记的信访人数量。"))
    if channel == Channel.REFERRED and not referred_by.strip():
        raise ValidationError(_("上级交办的信访件须填写交办机关。"))
    if visit is not None:
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if visit.petition_id is not None:
            raise ValidationError(_("该来访已登记为信访件。"))
        if received_on < visit.visited_on:
            raise ValidationError(_("收到日期不能早于来访日期。"))
    place = _place(district=district, project=project, household=household)

    reference = _next_reference(received_on.year)
    code = _new_code()
    petition = Petition(
        reference=reference,
        lookup_digest=lookup_digest(reference, code),
        received_on=received_on,
        channel=channel,
        referred_by=referred_by.strip() if channel == Channel.REFERRED else "",
        referral_number=referral_number.strip() if channel == Channel.REFERRED else "",
        district=place,
        project=project,
        household=household,
        category=category,
        request=request,
        people_count=people_count,
        repeat_of=repeat_of,
        received_by=by,
    )
    petition.full_clean()
    petition.save()
    for fields in petitioners:
        _create_petitioner(petition, fields)
    if visit is not None:
        visit.petition = petition
        visit.save(update_fields=["petition"])
    _record(petition, Step.REGISTERED, by=by, on=received_on)
    return Registration(petition=petition, code=code)


def _create_petitioner(petition: Petition, fields: dict[str, Any]) -> Petitioner:
    petitioner = Petitioner(petition=petition, **fields)
    petitioner.full_clean()
    petitioner.save()
    return petitioner


@transaction.atomic
def add_petitioner(*, petition: Petition, by: User, **fields: Any) -> Petitioner:
    ensure_office_staff(by)
    petition = _locked(petition)
    if petition.petitioners.count() + 1 > petition.people_count:
        raise ValidationError(_("登记的信访人已达信访人数，请先修改信访人数。"))
    return _create_petitioner(petition, fields)


@transaction.atomic
def update_petition(*, petition: Petition, by: User, **fields: Any) -> Petition:
    """Correct the facts of a case. The receipt date and the channel drive the acceptance
    clock, so they change only before the case is decided."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if petition.status != Status.REGISTERED and (
        fields.get("received_on", petition.received_on) != petition.received_on
        or fields.get("channel", petition.channel) != petition.channel
    ):
        raise ValidationError(_("信访件已作出受理决定，不能再修改收到日期和信访形式。"))
    if "received_on" in fields:
        _check_not_future(fields["received_on"], timezone.localdate(), _("收到日期"))
    district = fields.pop("district", None)
    for name, value in fields.items():
        setattr(petition, name, value)
    petition.district = _place(
        district=district or petition.district,
        project=petition.project,
        household=petition.household,
    )
    if petition.people_count < petition.petitioners.count():
        raise ValidationError(_("信访人数不能少于登记的信访人数量。"))
    if petition.channel != Channel.REFERRED:
        petition.referred_by = petition.referral_number = ""
    petition.full_clean()
    petition.save()
    return petition


@transaction.atomic
def reset_lookup_code(*, petition: Petition, by: User) -> str:
    """Give the petitioner a new code (the old one stops working); returns it, shown once."""
    ensure_office_staff(by)
    petition = _locked(petition)
    code = _new_code()
    petition.lookup_digest = lookup_digest(petition.reference, code)
    petition.has_short_code = False
    petition.save(update_fields=["lookup_digest", "has_short_code"])
    _record(petition, Step.CODE_RESET, by=by, on=timezone.localdate())
    return code


# ---------------------------------------------------------------------------
# Steps


def _locked(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().get(pk=petition.pk)


def _record(
    petition: Petition,
    kind: str,
    *,
    by: User,
    on: date,
    note: str = "",
    file: File | None = None,
    number: str = "",
    document_kind: str = DocKind.OTHER,
) -> PetitionStep:
    document = None
    if file is not None:
        document = PetitionDocument(
            petition=petition,
            kind=document_kind,
            title=f"{Step(kind).label}：{getattr(file, 'name', '') or petition.reference}",
            number=number,
            file=file,
            uploaded_by=by,
        )
        document.full_clean()
        document.save()
    return PetitionStep.objects.create(
        petition=petition, kind=kind, on=on, note=note, document=document, by=by
    )


def _check_step_date(on: date, *, not_before: date, label: str, today: date | None) -> None:
    _check_not_future(on, today or timezone.localdate(), _("日期"))
    if on < not_before:
        raise ValidationError(
            _("日期不能早于%(label)s（%(day)s）。") % {"label": label, "day": not_before}
        )


def _require_status(petition: Petition, allowed: tuple[str, ...], message: str) -> None:
    if petition.status not in allowed:
        raise ValidationError(message)


@transaction.atomic
def accept_petition(
    *,
    petition: Petition,
    by: User,
    on: date,
    note: str = "",
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Accept the case (受理); the reply clock starts the next day."""
    ensure_office_staff(by)
    petition = _locked(petition)
    _require_status(petition, (Status.REGISTERED,), _("只有待受理的信访件可以受理。"))
    if petition.repeat_of_id and petition.repeat_of.is_final:
        raise ValidationError(_("原信访件已经复核，信访人以同一事实和理由提出的信访请求不再受理。"))
    _check_step_date(on, not_before=petition.received_on, label=_("收到日期"), today=today)
    # Accepting late is allowed (the case must still be handled) and recorded as late.
    petition.accept_late_days = deadlines.days_late(on, deadlines.accept_deadline(petition))
    petition.status = Status.ACCEPTED
    petition.accepted_on = petition.decided_on = on
    petition.save(update_fields=["status", "accepted_on", "decided_on", "accept_late_days"])
    _record(
        petition,
        Step.ACCEPTED,
        by=by,
        on=on,
        note=note,
        file=file,
        number=number,
        document_kind=DocKind.DECISION,
    )
    return petition


@transaction.atomic
def decline_petition(
    *,
    petition: Petition,
    by: User,
    on: date,
    reason: str,
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Decide not to accept (不予受理), with the reason told to the petitioner."""
    ensure_office_staff(by)
    petition = _locked(petition)
    _require_status(petition, (Status.REGISTERED,), _("只有待受理的信访件可以作出不予受理决定。"))
    if not reason.strip():
        raise ValidationError(_("请填写不予受理的理由。"))
    _check_step_date(on, not_before=petition.received_on, label=_("收到日期"), today=today)
    petition.accept_late_days = deadlines.days_late(on, deadlines.accept_deadline(petition))
    petition.status = Status.NOT_ACCEPTED
    petition.decided_on = petition.closed_on = on
    petition.save(update_fields=["status", "decided_on", "closed_on", "accept_late_days"])
    _record(
        petition,
        Step.NOT_ACCEPTED,
        by=by,
        on=on,
        note=reason,
        file=file,
        number=number,
        document_kind=DocKind.DECISION,
    )
    return petition


@transaction.atomic
def transfer_petition(
    *,
    petition: Petition,
    by: User,
    on: date,
    to_body: str,
    note: str = "",
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Send the case to the body that has authority over it (转送)."""
    ensure_office_staff(by)
    petition = _locked(petition)
    _require_status(petition, (Status.REGISTERED,), _("只有待受理的信访件可以转送。"))
    if not to_body.strip():
        raise ValidationError(_("请填写接收转送的机关。"))
    _check_step_date(on, not_before=petition.received_on, label=_("收到日期"), today=today)
    petition.status = Status.TRANSFERRED
    petition.decided_on = on
    petition.transferred_to = to_body.strip()
    petition.save(update_fields=["status", "decided_on", "transferred_to"])
    _record(
        petition,
        Step.TRANSFERRED,
        by=by,
        on=on,
        note=note or to_body,
        file=file,
        number=number,
        document_kind=DocKind.TRANSFER,
    )
    return petition


@transaction.atomic
def divert_petition(
    *,
    petition: Petition,
    by: User,
    on: date,
    route: str,
    note: str,
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Divert a complaint that belongs in reconsideration, court or arbitration (依法分流):
    the petitioner is told which route to take and the case leaves the petition clock."""
    ensure_office_staff(by)
    petition = _locked(petition)
    _require_status(
        petition,
        (Status.REGISTERED, Status.ACCEPTED),
        _("只有待受理或办理中的信访件可以依法分流。"),
    )
    if route not in Route.values:
        raise ValidationError(_("请选择分流途径。"))
    if not note.strip():
        raise ValidationError(_("请说明分流的依据和告知信访人的情况。"))
    _check_step_date(on, not_before=petition.received_on, label=_("收到日期"), today=today)
    petition.status = Status.DIVERTED
    petition.diverted_to = route
    petition.decided_on = petition.decided_on or on
    petition.closed_on = on
    petition.save(update_fields=["status", "diverted_to", "decided_on", "closed_on"])
    _record(
        petition,
        Step.DIVERTED,
        by=by,
        on=on,
        note=note,
        file=file,
        number=number,
        document_kind=DocKind.DECISION,
    )
    return petition


@transaction.atomic
def extend_petition(
    *,
    petition: Petition,
    by: User,
    on: date,
    days: int,
    reason: str,
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Extend the reply period once, by up to 30 days, with a reason, before it runs out."""
    ensure_leader(by)
    petition = _locked(petition)
    _require_status(petition, (Status.ACCEPTED,), _("只有已受理、尚未答复的信访件可以延期。"))
    if petition.is_extended:
        raise ValidationError(_("办理期限只能延长一次，该信访件已经延期。"))
    limit = deadlines.period("PETITION_EXTENSION_MAX_DAYS")
    if not 1 <= days <= limit:
        raise ValidationError(_("延长期限应为1至%(limit)d日。") % {"limit": limit})
    if not reason.strip():
        raise ValidationError(_("请填写延期理由。"))
    _check_step_date(on, not_before=petition.accepted_on, label=_("受理日期"), today=today)
    due = deadlines.reply_deadline(petition).due
    if on > due:
        raise ValidationError(_("办理期限已于%(due)s届满，不能再延期。") % {"due": due.isoformat()})
    petition.extension_days = days
    petition.extension_reason = reason.strip()
    petition.save(update_fields=["extension_days", "extension_reason"])
    note = _("延长%(days)d日：%(reason)s") % {"days": days, "reason": petition.extension_reason}
    _record(
        petition,
        Step.EXTENDED,
        by=by,
        on=on,
        note=note,
        file=file,
        number=number,
        document_kind=DocKind.EXTENSION,
    )
    return petition


def default_review_body() -> str:
    """The body that reviews the office's replies: its superior (信访工作条例: 上一级机关)."""
    office = Office.objects.order_by("pk").first()
    return office.parent_body if office and office.parent_body else ""


@transaction.atomic
def reply_to_petition(
    *,
    petition: Petition,
    by: User,
    on: date,
    number: str,
    findings: str,
    opinion: str,
    review_body: str,
    file: File | None = None,
    today: date | None = None,
) -> Petition:
    """Issue the reply (信访处理意见书); its text is kept on the case and the letter is
    generated from it."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if petition.status == Status.REGISTERED:
        raise ValidationError(_("信访件尚未受理，不能答复。请先作出受理决定。"))
    _require_status(petition, (Status.ACCEPTED,), _("只有已受理、尚未答复的信访件可以答复。"))
    if not (number.strip() and findings.strip() and opinion.strip() and review_body.strip()):
        raise ValidationError(_("请填写意见书文号、调查核实情况、处理意见和复查机关。"))
    _check_step_date(on, not_before=petition.accepted_on, label=_("受理日期"), today=today)
    petition.reply_late_days = deadlines.days_late(on, deadlines.reply_deadline(petition))
    petition.status = Status.REPLIED
    petition.replied_on = on
    petition.reply_number = number.strip()
    petition.reply_findings = findings.strip()
    petition.reply_opinion = opinion.strip()
    petition.review_body = review_body.strip()
    petition.save(
        update_fields=[
            "status",
            "replied_on",
            "reply_number",
            "reply_findings",
            "reply_opinion",
            "review_body",
            "reply_late_days",
        ]
    )
    _record(
        petition,
        Step.REPLIED,
        by=by,
        on=on,
        note=petition.reply_number,
        file=file,
        number=petition.reply_number,
        document_kind=DocKind.REPLY,
    )
    return petition


def _reopens(petition: Petition, *, status: str, answered: bool, requested: bool) -> bool:
    """A request for review can follow the answer, even on a case closed meanwhile: the
    petitioner's window does not end because the office closed its file."""
    return petition.status == status or (
        petition.status == Status.CLOSED and answered and not requested
    )


@transaction.atomic
def record_service(
    *,
    petition: Petition,
    by: User,
    on: date,
    note: str = "",
    file: File | None = None,
    today: date | None = None,
) -> Petition:
    """Record the day the petitioner received the latest answer (送达日期): the reply, or the
    review opinion. The petitioner's window to ask for the next review runs from it
    (信访工作条例 第三十五条、第三十六条); until it is recorded the clock assumes the answer's date.
    """
    ensure_office_staff(by)
    petition = _locked(petition)
    if petition.reviewed_on is not None and petition.recheck_requested_on is None:
        field, issued, label = "review_served_on", petition.reviewed_on, _("复查意见日期")
    elif petition.replied_on is not None and petition.review_requested_on is None:
        field, issued, label = "reply_served_on", petition.replied_on, _("答复日期")
    else:
        raise ValidationError(_("该信访件没有待登记送达日期的答复或复查意见。"))
    if getattr(petition, field) is not None:
        raise ValidationError(_("送达日期已经登记。"))
    _check_step_date(on, not_before=issued, label=label, today=today)
    setattr(petition, field, on)
    petition.save(update_fields=[field])
    _record(petition, Step.SERVED, by=by, on=on, note=note, file=file)
    return petition


@transaction.atomic
def request_review(
    *,
    petition: Petition,
    by: User,
    on: date,
    body: str = "",
    note: str = "",
    file: File | None = None,
    today: date | None = None,
) -> Petition:
    """Record the petitioner's request for a review (复查) of the reply."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if not _reopens(
        petition,
        status=Status.REPLIED,
        answered=petition.replied_on is not None,
        requested=petition.review_requested_on is not None,
    ):
        raise ValidationError(_("只有已答复的信访件可以请求复查。"))
    _check_step_date(on, not_before=petition.replied_on, label=_("答复日期"), today=today)
    window = deadlines.review_request_deadline(petition)
    if on > window.due:
        raise ValidationError(
            _("请求复查的期限已于%(due)s届满。") % {"due": window.due.isoformat()}
        )
    petition.status = Status.REVIEW_REQUESTED
    petition.review_requested_on = on
    petition.review_body = body.strip() or petition.review_body
    petition.closed_on = None
    petition.save(update_fields=["status", "review_requested_on", "review_body", "closed_on"])
    _record(
        petition, Step.REVIEW_REQUESTED, by=by, on=on, note=note or petition.review_body, file=file
    )
    return petition


@dataclass(frozen=True)
class _Opinion:
    """One round of the two reviews the regulation allows (复查, then 复核): the same steps
    on different fields."""

    waiting: str  # the status a pending request leaves the case in
    done: str  # the status once the opinion is recorded
    requested_on: str  # field: when the petitioner asked
    answered_on: str  # field: when the opinion was given
    outcome: str  # field: the opinion's conclusion
    step: str
    document_kind: str
    nothing_pending: str
    choose_outcome: str
    requested_label: str
    late_days: str  # field: days past the answer's deadline
    deadline: Callable[[Petition], Deadline]  # the answer's deadline


_REVIEW = _Opinion(
    waiting=Status.REVIEW_REQUESTED,
    done=Status.REVIEWED,
    requested_on="review_requested_on",
    answered_on="reviewed_on",
    outcome="review_outcome",
    step=Step.REVIEWED,
    document_kind=DocKind.REVIEW,
    nothing_pending=gettext_lazy("该信访件没有待办的复查请求。"),
    choose_outcome=gettext_lazy("请选择复查结论。"),
    requested_label=gettext_lazy("请求复查日期"),
    late_days="review_late_days",
    deadline=deadlines.review_deadline,
)
_RECHECK = _Opinion(
    waiting=Status.RECHECK_REQUESTED,
    done=Status.RECHECKED,
    requested_on="recheck_requested_on",
    answered_on="rechecked_on",
    outcome="recheck_outcome",
    step=Step.RECHECKED,
    document_kind=DocKind.RECHECK,
    nothing_pending=gettext_lazy("该信访件没有待办的复核请求。"),
    choose_outcome=gettext_lazy("请选择复核结论。"),
    requested_label=gettext_lazy("请求复核日期"),
    late_days="recheck_late_days",
    deadline=deadlines.recheck_deadline,
)


def _record_opinion(
    round_: _Opinion,
    *,
    petition: Petition,
    by: User,
    on: date,
    outcome: str,
    note: str,
    file: File | None,
    number: str,
    today: date | None,
) -> Petition:
    ensure_office_staff(by)
    petition = _locked(petition)
    _require_status(petition, (round_.waiting,), str(round_.nothing_pending))
    if outcome not in ReviewOutcome.values:
        raise ValidationError(str(round_.choose_outcome))
    _check_step_date(
        on,
        not_before=getattr(petition, round_.requested_on),
        label=str(round_.requested_label),
        today=today,
    )
    # An opinion given after its deadline is taken and recorded as late.
    setattr(petition, round_.late_days, deadlines.days_late(on, round_.deadline(petition)))
    petition.status = round_.done
    setattr(petition, round_.answered_on, on)
    setattr(petition, round_.outcome, outcome)
    petition.save(update_fields=["status", round_.answered_on, round_.outcome, round_.late_days])
    _record(
        petition,
        round_.step,
        by=by,
        on=on,
        note=note or ReviewOutcome(outcome).label,
        file=file,
        number=number,
        document_kind=round_.document_kind,
    )
    return petition


@transaction.atomic
def record_review(
    *,
    petition: Petition,
    by: User,
    on: date,
    outcome: str,
    note: str = "",
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Record the review opinion (复查意见)."""
    return _record_opinion(
        _REVIEW,
        petition=petition,
        by=by,
        on=on,
        outcome=outcome,
        note=note,
        file=file,
        number=number,
        today=today,
    )


@transaction.atomic
def request_recheck(
    *,
    petition: Petition,
    by: User,
    on: date,
    body: str,
    note: str = "",
    file: File | None = None,
    today: date | None = None,
) -> Petition:
    """Record the petitioner's request for a second review (复核) of the review opinion."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if not _reopens(
        petition,
        status=Status.REVIEWED,
        answered=petition.reviewed_on is not None,
        requested=petition.recheck_requested_on is not None,
    ):
        raise ValidationError(_("只有已复查的信访件可以请求复核。"))
    if not body.strip():
        raise ValidationError(_("请填写复核机关。"))
    _check_step_date(on, not_before=petition.reviewed_on, label=_("复查意见日期"), today=today)
    window = deadlines.recheck_request_deadline(petition)
    if on > window.due:
        raise ValidationError(
            _("请求复核的期限已于%(due)s届满。") % {"due": window.due.isoformat()}
        )
    petition.status = Status.RECHECK_REQUESTED
    petition.recheck_requested_on = on
    petition.recheck_body = body.strip()
    petition.closed_on = None
    petition.save(update_fields=["status", "recheck_requested_on", "recheck_body", "closed_on"])
    _record(
        petition,
        Step.RECHECK_REQUESTED,
        by=by,
        on=on,
        note=note or petition.recheck_body,
        file=file,
    )
    return petition


@transaction.atomic
def record_recheck(
    *,
    petition: Petition,
    by: User,
    on: date,
    outcome: str,
    note: str = "",
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Record the second review's opinion (复核意见); the request is then final."""
    return _record_opinion(
        _RECHECK,
        petition=petition,
        by=by,
        on=on,
        outcome=outcome,
        note=note,
        file=file,
        number=number,
        today=today,
    )


@transaction.atomic
def report_to_referrer(
    *,
    petition: Petition,
    by: User,
    on: date,
    note: str,
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Report on a referred case to the body that referred it (e.g. 省巡视组)."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if petition.channel != Channel.REFERRED:
        raise ValidationError(_("只有上级交办的信访件需要报送办理情况。"))
    if petition.status == Status.REGISTERED:
        raise ValidationError(_("请先作出受理决定，再报送办理情况。"))
    if not note.strip():
        raise ValidationError(_("请填写报送内容摘要。"))
    _check_step_date(on, not_before=petition.received_on, label=_("收到日期"), today=today)
    petition.reported_on = on
    petition.save(update_fields=["reported_on"])
    _record(
        petition,
        Step.REPORTED,
        by=by,
        on=on,
        note=note,
        file=file,
        number=number,
        document_kind=DocKind.REPORT,
    )
    return petition


CLOSABLE = (Status.REPLIED, Status.REVIEWED, Status.RECHECKED, Status.TRANSFERRED)


@transaction.atomic
def close_petition(
    *,
    petition: Petition,
    by: User,
    on: date,
    note: str = "",
    today: date | None = None,
) -> Petition:
    """Close the file (结案) once the case has been answered, reviewed or transferred."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if petition.status in (Status.REGISTERED, Status.ACCEPTED):
        raise ValidationError(_("信访件尚未办结（答复），不能结案。"))
    _require_status(petition, CLOSABLE, _("该信访件当前状态不能结案。"))
    last = max(
        day
        for day in (
            petition.decided_on,
            petition.replied_on,
            petition.reviewed_on,
            petition.rechecked_on,
            petition.received_on,
        )
        if day
    )
    _check_step_date(on, not_before=last, label=_("上一环节日期"), today=today)
    petition.status = Status.CLOSED
    petition.closed_on = on
    petition.save(update_fields=["status", "closed_on"])
    _record(petition, Step.CLOSED, by=by, on=on, note=note)
    return petition


@transaction.atomic
def assign_petition(
    *, petition: Petition, by: User, assignee: User, note: str = "", on: date | None = None
) -> Petition:
    """Give the case to a staff member (or a user of the case's district) to handle."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if not petition.is_open:
        raise ValidationError(_("信访件已办结，不能再指定承办人。"))
    if not assignee.is_active or not (
        assignee.is_office_staff or assignee.district_id == petition.district_id
    ):
        raise ValidationError(_("承办人应为市征收办工作人员或本区县征收部门人员。"))
    petition.assignee = assignee
    petition.save(update_fields=["assignee"])
    _record(
        petition,
        Step.ASSIGNED,
        by=by,
        on=on or timezone.localdate(),
        note=note or assignee.get_full_name(),
    )
    return petition


@transaction.atomic
def flag_legacy(
    *, petition: Petition, by: User, on: date, note: str, today: date | None = None
) -> Petition:
    """List the case as a legacy case (遗留积案), tracked until it is resolved."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if petition.is_legacy:
        raise ValidationError(_("该信访件已列为遗留积案。"))
    if not note.strip():
        raise ValidationError(_("请说明列为遗留积案的原因。"))
    _check_step_date(on, not_before=petition.received_on, label=_("收到日期"), today=today)
    petition.is_legacy = True
    petition.save(update_fields=["is_legacy"])
    _record(petition, Step.LEGACY_FLAGGED, by=by, on=on, note=note)
    return petition


@transaction.atomic
def resolve_legacy(
    *,
    petition: Petition,
    by: User,
    on: date,
    resolution: str,
    file: File | None = None,
    number: str = "",
    today: date | None = None,
) -> Petition:
    """Record that a legacy case has been resolved (化解); the case is then closed."""
    ensure_office_staff(by)
    petition = _locked(petition)
    if not petition.is_legacy:
        raise ValidationError(_("该信访件不是遗留积案。"))
    if petition.is_legacy_resolved:
        raise ValidationError(_("该遗留积案已经化解。"))
    if not resolution.strip():
        raise ValidationError(_("请填写化解情况。"))
    _check_step_date(on, not_before=petition.received_on, label=_("收到日期"), today=today)
    petition.legacy_resolved_on = on
    petition.legacy_resolution = resolution.strip()
    fields = ["legacy_resolved_on", "legacy_resolution"]
    if petition.status != Status.CLOSED:
        petition.status = Status.CLOSED
        petition.closed_on = on
        fields += ["status", "closed_on"]
    petition.save(update_fields=fields)
    _record(
        petition,
        Step.LEGACY_RESOLVED,
        by=by,
        on=on,
        note=petition.legacy_resolution,
        file=file,
        number=number,
        document_kind=DocKind.RESOLUTION,
    )
    return petition


@transaction.atomic
def add_document(
    *, petition: Petition, by: User, kind: str, title: str, file: File, number: str = ""
) -> PetitionDocument:
    """File a document on the case; district users may add to their own district's cases."""
    if not (by.is_office_staff or by.district_id == petition.district_id):
        raise PermissionDenied(_("您无权为该信访件上传材料。"))
    document = PetitionDocument(
        petition=petition, kind=kind, title=title, number=number, file=file, uploaded_by=by
    )
    document.full_clean()
    document.save()
    return document


# ---------------------------------------------------------------------------
# Visits


def _visit_place(fields: dict[str, Any]) -> None:
    fields["district"] = _place(
        district=fields.get("district"), project=fields.get("project"), household=None
    )
    petition = fields.get("petition")
    if petition is not None and petition.district_id != fields["district"].pk:
        raise ValidationError(_("关联的信访件属于其他区县。"))


@transaction.atomic
def record_visit(*, by: User, today: date | None = None, **fields: Any) -> Visit:
    """Log a visit received at the office; the user logging it is the receptionist. A visit
    about a case already registered names it (`petition`); a new case is opened from the
    visit with register_petition(visit=...)."""
    ensure_office_staff(by)
    _check_not_future(fields["visited_on"], today or timezone.localdate(), _("来访日期"))
    _visit_place(fields)
    visit = Visit(receptionist=by, **fields)
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def update_visit(*, visit: Visit, by: User, **fields: Any) -> Visit:
    ensure_office_staff(by)
    _check_not_future(
        fields.get("visited_on", visit.visited_on), timezone.localdate(), _("来访日期")
    )
    _visit_place(fields)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.full_clean()
    visit.save()
    return visit


# ---------------------------------------------------------------------------
# Duty rosters


@transaction.atomic
def create_roster(*, by: User, **fields: Any) -> DutyRoster:
    ensure_office_staff(by)
    roster = DutyRoster(created_by=by, **fields)
    roster.full_clean()
    roster.save()
    return roster


@transaction.atomic
def update_roster(*, roster: DutyRoster, by: User, **fields: Any) -> DutyRoster:
    ensure_office_staff(by)
    for name, value in fields.items():
        setattr(roster, name, value)
    roster.full_clean()
    if roster.shifts.exclude(
        starts_at__date__gte=roster.starts_on, starts_at__date__lte=roster.ends_on
    ).exists():
        raise ValidationError(_("已有值班安排不在新的起止日期内，请先调整值班安排。"))
    roster.save()
    return roster


@transaction.atomic
def add_shift(
    *,
    roster: DutyRoster,
    by: User,
    person: User,
    role: str,
    starts_at: datetime,
    ends_at: datetime,
) -> DutyShift:
    """Put a member of the office on duty; the shift starts within the roster's period."""
    ensure_office_staff(by)
    if not (person.is_active and person.is_office_staff):
        raise ValidationError(_("值班人应为市征收办在职工作人员。"))
    start_day = timezone.localtime(starts_at).date()
    if not roster.starts_on <= start_day <= roster.ends_on:
        raise ValidationError(_("值班开始时间应在值班表的起止日期内。"))
    overlapping = DutyShift.objects.filter(
        roster=roster, person=person, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if overlapping.exists():
        raise ValidationError(_("该人员在此时段已有值班安排。"))
    shift = DutyShift(roster=roster, person=person, role=role, starts_at=starts_at, ends_at=ends_at)
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def remove_shift(*, shift: DutyShift, by: User) -> None:
    ensure_office_staff(by)
    shift.delete()
