"""The year's figures: new projects, projects in progress, signed households, the signing rate.

These are the figures of the dashboard and, later, of the annual report, so the definitions
live here once (issue 3, "Definitions"):

- a project is *new* in year Y when its 启动公告 is dated in Y (`Project.started_on`);
- it is *in progress* in Y when it started on or before the end of Y and was not completed
  before the start of Y (`Project.objects.in_progress_in`); a new project is always in progress;
- a household is *signed* in the figures for Y when its agreement date is on or before the end
  of Y.

A project's households in the figures for Y are those registered (`Household.registered_on`)
on or before the end of Y, so that a household entered later for an earlier survey date counts
in that year, and one registered after it does not change that year's figures.

The database sums the households per project (filtered aggregates over the households'
tally on PostgreSQL, over the households themselves elsewhere); the totals add up those
per-project sums, so `year_figures` issues one query whatever the number of projects and
households, and its SQL is written once per process (core.compiled).

Other apps add cards to the dashboard (open hazards) by registering a panel provider, from their
AppConfig.ready(); the cards counting stored clocks (due and overdue deadlines, petitions falling
due) register with core.due.register_card, which counts them all in one query. The dashboard
shows nothing for a source that is not installed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db import connection, connections, router
from django.db.models import Count, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from core.compiled import CompiledValues
from core.formatting import wan
from core.scoping import scope, scoped, visible_to
from projects.models import Household, HouseholdTally, Project

ZERO_M2 = Decimal("0.00")


def _m2(value) -> Decimal:
    """An area sum as m² with two decimals (SQLite returns sums with a long scale, PostgreSQL
    already two decimals); 0.00 for none (a NULL sum: no household)."""
    return ZERO_M2 if value is None else Decimal(value).quantize(ZERO_M2)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def signing_rate(signed: int, total: int) -> Decimal | None:
    """Signed / total as a percentage with one decimal (67.2), rounded half up; None without
    households."""
    if not total:
        return None
    return (Decimal(signed) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    """A group of projects: how many, their households and their area (m²)."""

    count: int
    households: int
    area: Decimal

    @property
    def area_wan(self) -> Decimal:
        """The area in 万平方米, with the seed's rounding (149,500 m² → 14.95)."""
        return wan(self.area)


@dataclass(frozen=True)
class Signed:
    """Signed households among the projects in progress, with their area and the rate."""

    households: int
    area: Decimal
    rate: Decimal | None

    @property
    def area_wan(self) -> Decimal:
        return wan(self.area)


@dataclass(frozen=True)
class ProjectProgress:
    """One project's signing progress: a row (a bar) of the chart."""

    pk: int
    name: str
    district: str
    households: int
    signed: int
    area: Decimal
    signed_area: Decimal
    is_new: bool = False  # its 启动公告 is dated in the year of the figures

    @cached_property  # read by the chart and the table of every row
    def rate(self) -> Decimal | None:
        return signing_rate(self.signed, self.households)


@dataclass(frozen=True)
class YearFigures:
    year: int
    new: Totals
    in_progress: Totals
    signed: Signed
    projects: list[ProjectProgress]


def projects_in_progress(year: int, *, user) -> QuerySet:
    """The projects in progress in `year` that `user` may see."""
    return visible_to(Project.objects.in_progress_in(year), user)


def _tally_sums(projects: QuerySet, year: int) -> QuerySet:
    """`projects` annotated with the sums `project_progress` reads, on PostgreSQL: each one's
    households registered by the end of `year` (`household_count`), their area
    (`total_area`), those signed by then (`signed_count`) and their area
    (`signed_total_area`); each NULL when there are none (read as 0).

    They are read from the households' tally (HouseholdTally: a few groups per project, kept
    by triggers in each write's transaction), so the dashboard of a year with 100,000
    households adds up hundreds of rows, not 100,000: one LEFT JOIN to the groups registered
    by the end of the year (a FilteredRelation), two of the sums filtered on the signing year.
    """
    registered = FilteredRelation("tallies", condition=Q(tallies__registered_year__lte=year))
    signed = Q(registered__signed_year__range=(1, year))  # 0: not signed
    return projects.alias(registered=registered).annotate(
        household_count=Sum("registered__households"),
        signed_count=Sum("registered__households", filter=signed),
        total_area=Sum("registered__area"),
        signed_total_area=Sum("registered__area", filter=signed),
    )


def _household_sums(projects: QuerySet, last_day: date) -> QuerySet:
    """The sums of `_tally_sums` for the year ending on `last_day`, from the households
    themselves (SQLite, which has no tally)."""
    registered = Q(households__registered_on__lte=last_day)
    # An unsigned household has no date, and NULL <= date is never true.
    signed = registered & Q(households__signed_on__lte=last_day)
    return projects.annotate(
        household_count=Count("households", filter=registered),
        signed_count=Count("households", filter=signed),
        total_area=Sum("households__area", filter=registered),
        signed_total_area=Sum("households__area", filter=signed),
    )


def _progress_values(projects: QuerySet) -> QuerySet:
    return projects.order_by("district__sort_order", "district_id", "started_on", "pk").values(
        "pk",
        "name",
        "district__name",
        "started_on",
        "household_count",
        "signed_count",
        "total_area",
        "signed_total_area",
    )


# The rows of `project_progress`, by SQL the ORM writes once per form of district scope
# (core.compiled: writing it cost more CPU than PostgreSQL spent answering it).
@CompiledValues
def _progress_from_tally(first_day: date, last_day: date, year: int, *district: int):
    projects = scoped(Project.objects.in_progress_between(first_day, last_day), district)
    return _progress_values(_tally_sums(projects, year))


@CompiledValues
def _progress_from_households(first_day: date, last_day: date, *district: int):
    projects = scoped(Project.objects.in_progress_between(first_day, last_day), district)
    return _progress_values(_household_sums(projects, last_day))


def project_progress(year: int, *, user) -> list[ProjectProgress]:
    """Each project in progress in `year` that `user` may see, with its households and those
    signed by the end of the year, by district and then by start date (one query; none for
    a user who sees no project). The sums come from the households' tally on PostgreSQL,
    from the households elsewhere."""
    district = scope(user)
    if district is None:
        return []
    first_day, last_day = date(year, 1, 1), year_end(year)
    if connections[router.db_for_read(Project)].vendor == "postgresql":
        rows = _progress_from_tally(first_day, last_day, year, *district)
    else:
        rows = _progress_from_households(first_day, last_day, *district)
    return [
        ProjectProgress(
            pk=row["pk"],
            name=row["name"],
            district=row["district__name"],
            households=row["household_count"] or 0,
            signed=row["signed_count"] or 0,
            area=_m2(row["total_area"]),
            signed_area=_m2(row["signed_total_area"]),
            is_new=row["started_on"].year == year,
        )
        for row in rows
    ]


# A list asks for the totals of one page of projects: the ids are padded with 0 (no project's
# id) to a multiple of this, so that a page of 25, 50 or 100 has one SQL (core.compiled).
_TOTALS_BATCH = 25


@CompiledValues
def _totals_by_project(*project_ids: int):
    if connection.vendor == "postgresql":
        rows = HouseholdTally.objects.filter(project_id__in=project_ids)
        sums = {
            "household_count": Sum("households"),
            "signed_count": Coalesce(Sum("households", filter=Q(signed_year__gt=0)), 0),
            "household_area": Sum("area"),
            "signed_area": Sum("area", filter=Q(signed_year__gt=0)),
        }
    else:
        rows = Household.objects.filter(project_id__in=project_ids)
        sums = {
            "household_count": Count("*"),
            "signed_count": Count("signed_on"),
            "household_area": Sum("area"),
            "signed_area": Sum("area", filter=Q(signed_on__isnull=False)),
        }
    return rows.values("project_id").annotate(**sums).order_by()


def household_totals(project_ids: list[int]) -> dict[int, dict]:
    """Per project among `project_ids`, all its households whatever the year: `household_count`,
    `signed_count` (with an agreement date), `household_area` and `signed_area` (m²); a project
    without households is missing. One query: on PostgreSQL over the projects' tally groups,
    elsewhere over their households; its SQL is written once per multiple of 25 ids."""
    if not project_ids:
        return {}
    padded = [*project_ids, *[0] * (-len(project_ids) % _TOTALS_BATCH)]
    return {row.pop("project_id"): row for row in _totals_by_project(*padded)}


def _totals(rows: list[ProjectProgress]) -> Totals:
    return Totals(
        count=len(rows),
        households=sum(row.households for row in rows),
        area=sum((row.area for row in rows), Decimal("0.00")),
    )


def year_figures(year: int, *, user) -> YearFigures:
    """Everything the dashboard shows for `year`, as `user` may see it (one query: the
    database sums per project, the totals add those sums up)."""
    projects = project_progress(year, user=user)
    in_progress = _totals(projects)
    signed_households = sum(row.signed for row in projects)
    return YearFigures(
        year=year,
        new=_totals([row for row in projects if row.is_new]),
        in_progress=in_progress,
        signed=Signed(
            households=signed_households,
            area=sum((row.signed_area for row in projects), Decimal("0.00")),
            rate=signing_rate(signed_households, in_progress.households),
        ),
        projects=projects,
    )


@CompiledValues
def _project_spans(*district: int):
    """The distinct (start year, completion year or None) of the started projects in
    `district`'s scope (core.scoping.scope), by SQL written once."""
    started = scoped(Project.objects.filter(started_on__isnull=False), district)
    return (
        started.annotate(start=ExtractYear("started_on"), end=ExtractYear("completed_on"))
        .values("start", "end")
        .order_by()  # DISTINCT over the spans alone, not over every project's sort key
        .distinct()
    )


def years_with_projects(*, user) -> list[int]:
    """The years in which at least one project the user may see was in progress, newest
    first (one query)."""
    district = scope(user)
    spans = [] if district is None else _project_spans(*district)
    years: set[int] = set()
    current = timezone.localdate().year
    for span in spans:
        start, end = span["start"], span["end"]
        years.update(range(start, (end or max(current, start)) + 1))
    return sorted(years, reverse=True)
