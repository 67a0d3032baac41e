"""The legal clocks of valuations (国有土地上房屋征收评估办法), computed by the deadline engine
and fed to the deadlines page through core.clocks.

- 复核申请 (第二十条): the household may ask for a re-check within 10 days of receiving the report;
- 复核答复 (第二十一条): the firm answers within 10 days of receiving the request;
- 鉴定申请 (第二十二条): after the re-check, the household may ask the experts' committee for a
  review within 10 days of receiving the re-check result;
- 鉴定 (第二十五条): the committee decides within 10 days of receiving the request.

Each is "10 days" in calendar days: the 评估办法 has no working-day rule of its own (unlike
行政强制法 第六十九条), so the days count as the 民法典 counts them (第二百零一条至第二百零三条),
a last day that is a day off rolling to the next working day. A report received on 2023-09-27
gets a re-check deadline of 2023-10-07 (a make-up working Saturday), not 2023-10-17.
"""

from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import due
from core.clocks import DueItem, due_items
from core.deadlines import Deadline, Unit, WorkCalendar, add_period

RECHECK_REQUEST_DAYS = 10
RECHECK_ANSWER_DAYS = 10
REVIEW_REQUEST_DAYS = 10
REVIEW_DECISION_DAYS = 10

BASIS = {
    "recheck_request": gettext_lazy("《国有土地上房屋征收评估办法》第二十条"),
    "recheck_answer": gettext_lazy("《国有土地上房屋征收评估办法》第二十一条"),
    "review_request": gettext_lazy("《国有土地上房屋征收评估办法》第二十二条"),
    "review_decision": gettext_lazy("《国有土地上房屋征收评估办法》第二十五条"),
}


def _ten_days(start: date, length: int, calendar: WorkCalendar | None, clock: str) -> Deadline:
    """`length` calendar days from `start`, citing the 评估办法's article for `clock`."""
    return add_period(start, length, Unit.DAYS, basis=str(BASIS[clock]), calendar=calendar)


def recheck_request_deadline(valuation, calendar: WorkCalendar | None = None) -> Deadline | None:
    """Until when the household may ask for a re-check; None before the report is delivered."""
    if valuation.delivered_on is None:
        return None
    return _ten_days(valuation.delivered_on, RECHECK_REQUEST_DAYS, calendar, "recheck_request")


def recheck_answer_deadline(recheck, calendar: WorkCalendar | None = None) -> Deadline:
    return _ten_days(recheck.requested_on, RECHECK_ANSWER_DAYS, calendar, "recheck_answer")


def review_request_deadline(recheck, calendar: WorkCalendar | None = None) -> Deadline | None:
    """Until when the household may ask for an expert review; None before the re-check result
    has reached it."""
    if recheck.result_delivered_on is None:
        return None
    return _ten_days(recheck.result_delivered_on, REVIEW_REQUEST_DAYS, calendar, "review_request")


def review_decision_deadline(review, calendar: WorkCalendar | None = None) -> Deadline:
    return _ten_days(review.requested_on, REVIEW_DECISION_DAYS, calendar, "review_decision")


RECHECK_ANSWER = due.kind("appraisers.recheck_answer", gettext_lazy("评估复核答复期限"))
EXPERT_REVIEW = due.kind("appraisers.expert_review", gettext_lazy("专家鉴定期限"))
RECHECK_REQUEST = due.kind("appraisers.recheck_request", gettext_lazy("评估复核申请期限"))
REVIEW_REQUEST = due.kind("appraisers.review_request", gettext_lazy("专家鉴定申请期限"))
KINDS = frozenset({RECHECK_ANSWER, EXPERT_REVIEW, RECHECK_REQUEST, REVIEW_REQUEST})


def _row(kind, household, what, deadline, valuation, *, window=False) -> due.Row:
    """A valuation clock's row. Answer and decision clocks stay listed until answered
    (overdue ones included); a household's request window (`window`) only while it runs."""
    project = household.project
    return due.Row(
        kind=kind,
        title=_title(household, what),
        url=valuation.get_absolute_url(),
        deadline=deadline,
        district_id=project.district_id,
        project_id=project.pk,
        shown_until=deadline.due if window else None,
    )


def valuation_rows(valuation, calendar: WorkCalendar) -> list[due.Row]:
    """The household's window to ask for a re-check of a delivered, unchallenged report."""
    deadline = recheck_request_deadline(valuation, calendar)
    if deadline is None:
        return []
    household = valuation.household
    return [_row(RECHECK_REQUEST, household, _("评估报告"), deadline, valuation, window=True)]


def recheck_rows(recheck, calendar: WorkCalendar) -> list[due.Row]:
    """The firm's answer while unanswered; then the household's window to ask the experts."""
    valuation = recheck.valuation
    household = valuation.household
    rows = []
    if recheck.answered_on is None:
        answer = recheck_answer_deadline(recheck, calendar)
        rows.append(_row(RECHECK_ANSWER, household, _("复核评估"), answer, valuation))
    if not hasattr(recheck, "expert_review"):
        window = review_request_deadline(recheck, calendar)
        if window is not None:
            rows.append(
                _row(REVIEW_REQUEST, household, _("复核结果"), window, valuation, window=True)
            )
    return rows


def review_rows(review, calendar: WorkCalendar) -> list[due.Row]:
    valuation = review.recheck.valuation
    deadline = review_decision_deadline(review, calendar)
    return [_row(EXPERT_REVIEW, valuation.household, _("专家鉴定"), deadline, valuation)]


def register() -> None:
    """Called from AppraisersConfig.ready()."""
    from appraisers.models import ExpertReview, Recheck, Valuation

    due.register(
        Valuation,
        queryset=lambda: Valuation.objects.filter(
            is_current=True,
            source=Valuation.Source.ORIGINAL,
            delivered_on__isnull=False,
            recheck__isnull=True,
        ).select_related("household__project"),
        rows=valuation_rows,
        # A re-check request closes the valuation's window.
        follows={Recheck: lambda recheck: [recheck.valuation_id]},
    )
    due.register(
        Recheck,
        queryset=lambda: Recheck.objects.filter(
            Q(answered_on__isnull=True)
            | Q(result_delivered_on__isnull=False, expert_review__isnull=True)
        ).select_related("valuation__household__project", "expert_review"),
        rows=recheck_rows,
        # An expert review request closes the re-check's window.
        follows={ExpertReview: lambda review: [review.recheck_id]},
    )
    due.register(
        ExpertReview,
        queryset=lambda: ExpertReview.objects.filter(decided_on__isnull=True).select_related(
            "recheck__valuation__household__project"
        ),
        rows=review_rows,
    )


def open_clocks(user, *, until: date, today: date | None = None) -> list[DueItem]:
    """The stored valuation clocks `user` may see, listed on `today`, due by `until`."""
    return due_items(user, until=until, today=today or timezone.localdate(), kinds=KINDS)


def _title(household, what: str) -> str:
    return f"{household.project.name} {household.code} {what}"
