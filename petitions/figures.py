"""The year's petition figures, for the figures page and the annual report.

Definitions (one place, so every page and the report agree):

- *visits* (来访批次): reception-log entries dated in the year;
- *visitor-times* (来访人次): the people of those visits added up, so a person who came three
  times counts three times (the seed's "接待来访群众50多人次");
- *people* (来访人数): different persons among them. A visit names one visitor (the
  representative of a group); a person is recognised by their resident ID number, or by name and
  phone when the number was not taken. The unnamed members of a group count once per visit.
- *cases by status*: cases received in the year, by where they stand now;
- *closed on time* (按期办结): cases answered (信访处理意见书) in the year, and of those the ones
  answered on or before their reply deadline (with the extension, if any);
- *late steps* (逾期办理): acceptance decisions, replies, review and second-review opinions
  given in the year after their deadline, as recorded on the day of the step, with the days
  past the deadline added up.

Every function takes `user`: with a user, only what that user may see (a district user gets
their district's figures); with `user=None`, the whole office (the annual report's job runs
without a user). Each issues a constant number of queries.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Concat

from core.deadlines import WorkCalendar
from core.scoping import visible_to
from petitions import deadlines
from petitions.clocks import due_counts
from petitions.models import (
    COLLECTIVE_MIN_PEOPLE,
    Category,
    Channel,
    Petition,
    Status,
    Visit,
)


def _scoped(queryset: QuerySet, user) -> QuerySet:
    return queryset if user is None else visible_to(queryset, user)


def percentage(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, rounded half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class VisitFigures:
    visits: int  # 批次
    visitor_times: int  # 人次
    people: int  # 人数
    collective_visits: int  # 集体访批次


def visit_figures(year: int, *, user=None) -> VisitFigures:
    visits = _scoped(Visit.objects.in_year(year), user)
    identity = Case(
        When(~Q(visitor_id_number=""), then=F("visitor_id_number")),
        default=Concat("visitor_name", Value("|"), "visitor_phone", output_field=CharField()),
        output_field=CharField(),
    )
    totals = visits.aggregate(
        visits=Count("id"),
        visitor_times=Coalesce(Sum("people_count"), 0),
        named=Count(identity, distinct=True),
        collective=Count("id", filter=Q(people_count__gte=COLLECTIVE_MIN_PEOPLE)),
    )
    unnamed = totals["visitor_times"] - totals["visits"]
    return VisitFigures(
        visits=totals["visits"],
        visitor_times=totals["visitor_times"],
        people=totals["named"] + unnamed,
        collective_visits=totals["collective"],
    )


def cases_by_status(year: int, *, user=None) -> list[tuple[Status, int]]:
    """Every status, in the workflow's order, with the number of the year's cases in it."""
    rows = (
        _scoped(Petition.objects.received_in(year), user)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {row["status"]: row["n"] for row in rows}
    return [(status, counts.get(status, 0)) for status in Status]


@dataclass(frozen=True)
class OnTime:
    replied: int  # cases answered in the year
    on_time: int  # of which on or before the reply deadline

    @property
    def late(self) -> int:
        return self.replied - self.on_time

    @property
    def rate(self) -> Decimal | None:
        return percentage(self.on_time, self.replied)


def closed_on_time(year: int, *, user=None) -> OnTime:
    replied = _scoped(Petition.objects.filter(replied_on__year=year), user).only(
        "accepted_on", "replied_on", "extension_days", "extension_reason"
    )
    calendar = WorkCalendar()
    flags = [deadlines.replied_on_time(petition, calendar=calendar) for petition in replied]
    return OnTime(replied=len(flags), on_time=sum(1 for flag in flags if flag))


@dataclass(frozen=True)
class LateSteps:
    """Steps taken in the year after their statutory deadline: how many, and the days late."""

    accept: int
    accept_days: int
    reply: int
    reply_days: int
    review: int
    review_days: int
    recheck: int
    recheck_days: int

    @property
    def total(self) -> int:
        return self.accept + self.reply + self.review + self.recheck


_LATE = {
    "accept": ("decided_on", "accept_late_days"),
    "reply": ("replied_on", "reply_late_days"),
    "review": ("reviewed_on", "review_late_days"),
    "recheck": ("rechecked_on", "recheck_late_days"),
}


def late_steps(year: int, *, user=None) -> LateSteps:
    """The year's late steps, in one query (the dates of the steps decide the year)."""
    aggregates = {}
    for name, (day, late) in _LATE.items():
        in_year = Q(**{f"{day}__year": year, f"{late}__gt": 0})
        aggregates[name] = Count("id", filter=in_year)
        aggregates[f"{name}_days"] = Coalesce(Sum(late, filter=in_year), 0)
    return LateSteps(**_scoped(Petition.objects.all(), user).aggregate(**aggregates))


@dataclass(frozen=True)
class YearFigures:
    year: int
    visits: VisitFigures
    received: int
    collective: int
    by_status: list[tuple[Status, int]]
    by_channel: list[tuple[Channel, int]]
    by_category: list[tuple[Category, int]]
    on_time: OnTime
    referred: int  # cases referred by superior bodies, received in the year
    referred_reported: int  # of which reported on to the referring body
    legacy_resolved: int  # legacy cases resolved in the year
    legacy_open: int  # legacy cases not resolved at the end of the year
    late: LateSteps


def year_figures(year: int, *, user=None) -> YearFigures:
    cases = _scoped(Petition.objects.all(), user)
    received = cases.received_in(year)
    totals = received.aggregate(
        received=Count("id"),
        collective=Count("id", filter=Q(people_count__gte=COLLECTIVE_MIN_PEOPLE)),
        referred=Count("id", filter=Q(channel=Channel.REFERRED)),
        referred_reported=Count(
            "id", filter=Q(channel=Channel.REFERRED, reported_on__isnull=False)
        ),
        **{f"channel_{c.value}": Count("id", filter=Q(channel=c)) for c in Channel},
        **{f"category_{c.value}": Count("id", filter=Q(category=c)) for c in Category},
    )
    year_end = date(year, 12, 31)
    legacy = cases.legacy().aggregate(
        resolved=Count("id", filter=Q(legacy_resolved_on__year=year)),
        open=Count(
            "id",
            filter=Q(received_on__lte=year_end)
            & (Q(legacy_resolved_on__isnull=True) | Q(legacy_resolved_on__gt=year_end)),
        ),
    )
    return YearFigures(
        year=year,
        visits=visit_figures(year, user=user),
        received=totals["received"],
        collective=totals["collective"],
        by_status=cases_by_status(year, user=user),
        by_channel=[(c, totals[f"channel_{c.value}"]) for c in Channel],
        by_category=[(c, totals[f"category_{c.value}"]) for c in Category],
        on_time=closed_on_time(year, user=user),
        referred=totals["referred"],
        referred_reported=totals["referred_reported"],
        legacy_resolved=legacy["resolved"],
        legacy_open=legacy["open"],
        late=late_steps(year, user=user),
    )


def open_due_count(user, today: date) -> int:
    """Cases whose clock runs out within the next PETITION_DUE_SOON_DAYS days or has run out
    (the home page's count)."""
    until = today + timedelta(days=deadlines.period("PETITION_DUE_SOON_DAYS"))
    return due_counts(user, today=today, until=until)["due"]
