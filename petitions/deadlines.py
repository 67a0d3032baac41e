"""The statutory periods of petition work and the deadlines they give a case.

Lengths follow the 2022 信访工作条例 and are settings (with these defaults), read when a
deadline is computed so that a deployment can change them:

| setting | default | rule |
| --- | --- | --- |
| PETITION_ACCEPT_DAYS | 15 | decide whether to accept within 15 days of receipt |
| PETITION_REPLY_DAYS | 60 | reply within 60 days of acceptance |
| PETITION_EXTENSION_MAX_DAYS | 30 | extendable once, by up to 30 days, with a reason |
| PETITION_REVIEW_REQUEST_DAYS | 30 | ask for a review (复查) within 30 days of the reply |
| PETITION_REVIEW_DAYS | 30 | the review answered within 30 days of the request |
| PETITION_RECHECK_REQUEST_DAYS | 30 | ask for a second review (复核) within 30 days |
| PETITION_RECHECK_DAYS | 30 | the second review answered within 30 days of the request |
| PETITION_DUE_SOON_DAYS | 7 | the "due soon" window of the due list and the home page count |

Every date is computed by core.deadlines (Chinese day counting: the start day does not count,
a period ending on a day off rolls to the next working day). The 条例 has no working-day rule,
so every period counts calendar days; each explanation cites its article (BASIS).

An extension lengthens the reply period: an extended case must be answered within
60 + N days of acceptance. Counting the whole period from acceptance, rather than N days from a
first deadline that may itself have rolled past a holiday, never gives a later date; the office
keeps to the earlier of the two readings.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.deadlines import Deadline, Unit, WorkCalendar, add_period
from core.formatting import cn_date
from petitions.models import Petition, Status

DEFAULTS = {
    "PETITION_ACCEPT_DAYS": 15,
    "PETITION_REPLY_DAYS": 60,
    "PETITION_EXTENSION_MAX_DAYS": 30,
    "PETITION_REVIEW_REQUEST_DAYS": 30,
    "PETITION_REVIEW_DAYS": 30,
    "PETITION_RECHECK_REQUEST_DAYS": 30,
    "PETITION_RECHECK_DAYS": 30,
    "PETITION_DUE_SOON_DAYS": 7,
}


def period(name: str) -> int:
    """A period's length in days: the setting when there is one, else the 条例's default."""
    return int(getattr(settings, name, DEFAULTS[name]))


# What each clock is, for people (the kind of a core.clocks.DueItem).
ACCEPT = gettext_lazy("信访受理期限")
REPLY = gettext_lazy("信访答复期限")
REVIEW_REQUEST = gettext_lazy("请求复查期限")
REVIEW = gettext_lazy("复查答复期限")
RECHECK_REQUEST = gettext_lazy("请求复核期限")
RECHECK = gettext_lazy("复核答复期限")


@dataclass(frozen=True)
class Clock:
    """A running period of a case: what it is, whose turn it is, and its deadline."""

    kind: str
    deadline: Deadline
    # True when the office (or the reviewing body) must act; False for the petitioner's own
    # window to ask for a review, which staff only watch.
    office_must_act: bool = True

    @property
    def due(self) -> date:
        return self.deadline.due


# The article of the 信访工作条例 (2022) that sets each period; all count calendar days.
BASIS = {
    "accept": gettext_lazy("《信访工作条例》第二十五条"),
    "reply": gettext_lazy("《信访工作条例》第三十二条"),
    "review_request": gettext_lazy("《信访工作条例》第三十五条"),
    "review": gettext_lazy("《信访工作条例》第三十五条"),
    "recheck_request": gettext_lazy("《信访工作条例》第三十六条"),
    "recheck": gettext_lazy("《信访工作条例》第三十六条"),
}


def _days(
    start: date, length: int, calendar: WorkCalendar | None, step: str, clock: str
) -> Deadline:
    """`length` calendar days from `start`, citing BASIS[clock], with `step` said first."""
    deadline = add_period(start, length, Unit.DAYS, basis=str(BASIS[clock]), calendar=calendar)
    return replace(deadline, explanation=(step, *deadline.explanation))


def accept_deadline(petition: Petition, *, calendar: WorkCalendar | None = None) -> Deadline:
    days = period("PETITION_ACCEPT_DAYS")
    step = _("自收到信访事项之日起%(days)d日内决定是否受理并书面告知信访人") % {"days": days}
    return _days(petition.received_on, days, calendar, step, "accept")


def reply_deadline(petition: Petition, *, calendar: WorkCalendar | None = None) -> Deadline:
    if petition.accepted_on is None:
        raise ValueError("a case that was not accepted has no reply deadline")
    days = period("PETITION_REPLY_DAYS")
    if petition.extension_days:
        step = _(
            "自受理之日起%(days)d日内办结，经批准延长%(extra)d日（延期理由：%(reason)s），"
            "合计%(total)d日"
        ) % {
            "days": days,
            "extra": petition.extension_days,
            "reason": petition.extension_reason,
            "total": days + petition.extension_days,
        }
    else:
        step = _("自受理之日起%(days)d日内办结并书面答复信访人") % {"days": days}
    return _days(petition.accepted_on, days + petition.extension_days, calendar, step, "reply")


def received_on(served: date | None, issued: date) -> tuple[date, bool]:
    """The day the petitioner received a document, and whether it is assumed: the recorded
    送达日期, or when none is recorded the document's own date (the earliest it can have been
    received), marked as assumed."""
    if served is not None:
        return served, False
    return issued, True


def _receipt_step(served: date | None, issued: date, document: str) -> str:
    if served is not None:
        return _("信访人于%(day)s收到%(document)s（已登记送达日期）") % {
            "day": cn_date(served),
            "document": document,
        }
    return _(
        "未登记%(document)s的送达日期，暂以其出具日期%(day)s作为信访人收到之日（推定），"
        "登记送达日期后按实际收到之日重新计算"
    ) % {"day": cn_date(issued), "document": document}


def review_request_deadline(
    petition: Petition, *, calendar: WorkCalendar | None = None
) -> Deadline:
    """The petitioner's 复查 window: from the day the reply was received (送达), else assumed."""
    days = period("PETITION_REVIEW_REQUEST_DAYS")
    start, _assumed = received_on(petition.reply_served_on, petition.replied_on)
    step = _("信访人可自收到书面答复之日起%(days)d日内请求复查") % {"days": days}
    deadline = _days(start, days, calendar, step, "review_request")
    receipt = _receipt_step(petition.reply_served_on, petition.replied_on, _("信访处理意见书"))
    return replace(deadline, explanation=(receipt, *deadline.explanation))


def review_deadline(petition: Petition, *, calendar: WorkCalendar | None = None) -> Deadline:
    days = period("PETITION_REVIEW_DAYS")
    step = _("复查机关自收到复查请求之日起%(days)d日内提出复查意见") % {"days": days}
    return _days(petition.review_requested_on, days, calendar, step, "review")


def recheck_request_deadline(
    petition: Petition, *, calendar: WorkCalendar | None = None
) -> Deadline:
    days = period("PETITION_RECHECK_REQUEST_DAYS")
    start, _assumed = received_on(petition.review_served_on, petition.reviewed_on)
    step = _("信访人可自收到复查意见之日起%(days)d日内请求复核") % {"days": days}
    deadline = _days(start, days, calendar, step, "recheck_request")
    receipt = _receipt_step(petition.review_served_on, petition.reviewed_on, _("复查意见书"))
    return replace(deadline, explanation=(receipt, *deadline.explanation))


def recheck_deadline(petition: Petition, *, calendar: WorkCalendar | None = None) -> Deadline:
    days = period("PETITION_RECHECK_DAYS")
    step = _("复核机关自收到复核请求之日起%(days)d日内提出复核意见") % {"days": days}
    return _days(petition.recheck_requested_on, days, calendar, step, "recheck")


def current_clock(petition: Petition, *, calendar: WorkCalendar | None = None) -> Clock | None:
    """The period running now for the case, or None when none runs (decided, closed, final).

    A legacy case shows its clock like any other on its own page; the due list leaves legacy
    cases out (see PetitionQuerySet.with_clock).
    """
    status = petition.status
    if status == Status.REGISTERED:
        return Clock(str(ACCEPT), accept_deadline(petition, calendar=calendar))
    if status == Status.ACCEPTED:
        return Clock(str(REPLY), reply_deadline(petition, calendar=calendar))
    if status == Status.REPLIED:
        deadline = review_request_deadline(petition, calendar=calendar)
        return Clock(str(REVIEW_REQUEST), deadline, office_must_act=False)
    if status == Status.REVIEW_REQUESTED:
        return Clock(str(REVIEW), review_deadline(petition, calendar=calendar))
    if status == Status.REVIEWED:
        deadline = recheck_request_deadline(petition, calendar=calendar)
        return Clock(str(RECHECK_REQUEST), deadline, office_must_act=False)
    if status == Status.RECHECK_REQUESTED:
        return Clock(str(RECHECK), recheck_deadline(petition, calendar=calendar))
    return None


def days_late(done_on: date, deadline: Deadline) -> int:
    """How many days after its deadline a step was taken (0 when on time)."""
    return max((done_on - deadline.due).days, 0)


def replied_on_time(petition: Petition, *, calendar: WorkCalendar | None = None) -> bool | None:
    """Whether the reply came on or before its deadline; None when there is no reply yet."""
    if petition.replied_on is None or petition.accepted_on is None:
        return None
    days = period("PETITION_REPLY_DAYS") + petition.extension_days
    if petition.replied_on <= petition.accepted_on + timedelta(days=days):
        # Within the period before any roll-over: on time whatever the calendar says.
        return True
    return petition.replied_on <= reply_deadline(petition, calendar=calendar).due
