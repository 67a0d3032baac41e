"""Facts about one project that live in other rows: how many households it has, whether its
appraisal firm was chosen, its fund's balance, how many disbursements wait. The gates' checks,
the stage requirements and the project page ask them.

Each fact is registered by name as a SQL expression over the project's row (a subquery with
`OuterRef("pk")`), by the app that owns the table, from its `stage_requirements` module (like
projects.gates' checks), so the projects app never imports those apps. `value(project, name)`
asks one fact in one query, as the check asked it before; a page that shows many checks first
calls `read_all(project)`, which asks every registered fact in one query and keeps the answers
on that project instance for the rest of the request. Each set of facts asked together is one
query the ORM writes once per process (core.compiled): building and compiling a score of
subqueries costs it several times what PostgreSQL takes to answer them.

Only a page that reads and writes nothing calls `read_all`: a service that wrote a row and then
asks a check again must see the new row, so `value` never keeps what it read.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Subquery
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce

from core.compiled import CompiledValues
from projects.models import (
    CompensationDecision,
    Hazard,
    Household,
    HouseholdTally,
    Project,
    unsettled_condition,
)

FactExpression = Callable[[], BaseExpression]
_FACTS: dict[str, FactExpression] = {}
_READ = "_facts_read"  # the attribute of a project instance holding what read_all asked


_NOT_READ_ALL: set[str] = set()


def fact(name: str, *, read_all: bool = True) -> Callable[[FactExpression], FactExpression]:
    """Register `function() -> expression`: the fact `name` as an expression over the outer
    query's project row (`OuterRef("pk")`). `read_all=False` leaves it out of `read_all` (a
    fact only checks the project page does not show ask, e.g. a notice's: the page's one query
    would otherwise pay for it on every view)."""

    def register(function: FactExpression) -> FactExpression:
        _FACTS[name] = function
        (_NOT_READ_ALL.add if not read_all else _NOT_READ_ALL.discard)(name)
        _QUERIES.clear()
        return function

    return register


class _Count(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


class _Sum(Subquery):
    template = "(SELECT SUM(_sum.value) FROM (%(subquery)s) _sum)"


def count_of(queryset) -> Subquery:
    """The number of rows of `queryset` (filtered on `OuterRef("pk")`): 0 when there are none,
    as `.count()` gives."""
    return _Count(queryset.order_by().values("pk"))


def sum_of(queryset, field: str) -> Subquery:
    """The sum of `field` over the rows of `queryset` (filtered on `OuterRef("pk")`): None when
    there are none, as `Sum()` gives."""
    output = queryset.model._meta.get_field(field)
    return _Sum(queryset.order_by().values(value=F(field)), output_field=output)


# The query of each set of names, written by the ORM once per process (core.compiled).
_QUERIES: dict[tuple[str, ...], CompiledValues] = {}


def _query(names: tuple[str, ...]) -> CompiledValues:
    # Prefixed: a fact may share its name with a relation of Project ("households").
    def build(pk: int):
        expressions = {f"fact_{name}": _FACTS[name]() for name in names}
        return Project.objects.filter(pk=pk).order_by().values(**expressions)

    build.__name__ = f"facts {', '.join(names)}"
    return CompiledValues(build)


def _ask(project: Project, names) -> dict[str, Any]:
    names = tuple(names)
    if names not in _QUERIES:
        _QUERIES[names] = _query(names)
    rows = _QUERIES[names](project.pk)
    if not rows:
        raise Project.DoesNotExist
    return {name: rows[0][f"fact_{name}"] for name in names}


def value(project: Project, name: str) -> Any:
    """The fact `name` of `project`: what `read_all` read for this instance, else one query."""
    return values(project, name)[0]


def values(project: Project, *names: str) -> tuple:
    """The facts `names` of `project`, in that order: what `read_all` read for this instance,
    else one query for all of them."""
    read = project.__dict__.get(_READ)
    if read is None or any(name not in read for name in names):
        read = _ask(project, names)
    return tuple(read[name] for name in names)


def read_all(project: Project) -> dict[str, Any]:
    """Ask every registered fact of `project` (but those registered with `read_all=False`) in
    one query, keep the answers on the instance (for `value`) and return them by name."""
    read = _ask(project, [name for name in _FACTS if name not in _NOT_READ_ALL])
    project.__dict__[_READ] = read
    return read


def names() -> set[str]:
    return set(_FACTS)


# ---------------------------------------------------------------------------
# The projects app's own facts


def _households():
    return Household.objects.filter(project=OuterRef("pk"))


def _signed():
    return _households().filter(signed_on__isnull=False)


# The household figures: on PostgreSQL from the households' tally (a few groups per project,
# kept by triggers in the same transaction as the households: projects.tally), elsewhere from
# the households themselves, as projects.figures.household_totals reads them.


def _tallied() -> bool:
    return connection.vendor == "postgresql"


def _tallies():
    return HouseholdTally.objects.filter(project=OuterRef("pk"))


def _signed_tallies():
    return _tallies().filter(signed_year__gt=0)


@fact("households")
def _household_count():
    if _tallied():
        return Coalesce(sum_of(_tallies(), "households"), 0)
    return count_of(_households())


@fact("households_area")
def _household_area():
    return sum_of(_tallies() if _tallied() else _households(), "area")


@fact("households_signed")
def _households_signed():
    if _tallied():
        return Coalesce(sum_of(_signed_tallies(), "households"), 0)
    return count_of(_signed())


@fact("households_signed_area")
def _households_signed_area():
    return sum_of(_signed_tallies() if _tallied() else _signed(), "area")


@fact("households_unsettled")
def _households_unsettled():
    """Households whose compensation is not yet settled (`unsettled_condition`)."""
    return count_of(_households().filter(unsettled_condition()))


def _decisions():
    return CompensationDecision.objects.filter(household__project=OuterRef("pk"))


fact("compensation_decisions")(lambda: count_of(_decisions()))
fact("compensation_decisions_open")(lambda: count_of(_decisions().filter(closed_on__isnull=True)))


def _hazards():
    return Hazard.objects.filter(project=OuterRef("pk"))


fact("hazards")(lambda: count_of(_hazards()))
fact("hazards_open")(
    lambda: count_of(_hazards().exclude(status=Hazard.Status.RECTIFIED)),
)
