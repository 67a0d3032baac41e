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

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.clocks import DueItem
from core.deadlines import Deadline, Unit, WorkCalendar, add_period
from core.scoping import visible_to

RECHECK_REQUEST_DAYS = 10
RECHECK_ANSWER_DAYS = 10
REVIEW_REQUEST_DAYS = 10
REVIEW_DECISION_DAYS = 10
# 10 calendar days, rolled past the longest run of days off (the Spring Festival week with its
# weekends), never span more than this: request windows that started earlier are closed.
_LONGEST_WINDOW = timedelta(days=21)

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


def open_clocks(user, *, until: date, today: date | None = None) -> list[DueItem]:
    """The valuation clocks `user` may see that fall due on or before `until`.

    Answer and decision clocks stay open until answered (overdue ones included). A household's
    request window is shown only while it runs: once it has passed, nothing is left to do."""
    from appraisers.models import ExpertReview, Recheck, Valuation

    today = today or timezone.localdate()
    calendar = WorkCalendar()
    items: list[DueItem] = []

    def item(kind, title, deadline, url, project_id):
        if deadline.due <= until:
            items.append(DueItem(kind, title, deadline, url, project_id))

    rechecks = visible_to(Recheck, user).filter(answered_on__isnull=True)
    for recheck in rechecks.select_related("valuation__household__project"):
        valuation = recheck.valuation
        item(
            _("评估复核答复期限"),
            _title(valuation.household, _("复核评估")),
            recheck_answer_deadline(recheck, calendar),
            valuation.get_absolute_url(),
            valuation.household.project_id,
        )

    reviews = visible_to(ExpertReview, user).filter(decided_on__isnull=True)
    for review in reviews.select_related("recheck__valuation__household__project"):
        valuation = review.recheck.valuation
        item(
            _("专家鉴定期限"),
            _title(valuation.household, _("专家鉴定")),
            review_decision_deadline(review, calendar),
            valuation.get_absolute_url(),
            valuation.household.project_id,
        )

    window_start = today - _LONGEST_WINDOW
    unchallenged = visible_to(Valuation, user).filter(
        is_current=True,
        source=Valuation.Source.ORIGINAL,
        delivered_on__gte=window_start,
        recheck__isnull=True,
    )
    for valuation in unchallenged.select_related("household__project"):
        deadline = recheck_request_deadline(valuation, calendar)
        if deadline.due >= today:
            item(
                _("评估复核申请期限"),
                _title(valuation.household, _("评估报告")),
                deadline,
                valuation.get_absolute_url(),
                valuation.household.project_id,
            )

    answered = visible_to(Recheck, user).filter(
        result_delivered_on__gte=window_start, expert_review__isnull=True
    )
    for recheck in answered.select_related("valuation__household__project"):
        deadline = review_request_deadline(recheck, calendar)
        if deadline.due >= today:
            valuation = recheck.valuation
            item(
                _("专家鉴定申请期限"),
                _title(valuation.household, _("复核结果")),
                deadline,
                valuation.get_absolute_url(),
                valuation.household.project_id,
            )
    return items


def _title(household, what: str) -> str:
    return f"{household.project.name} {household.code} {what}"
