"""Reads that pages, exports and other apps share: what each household is due and was paid,
and the reconciliation per project and for the office. Each is a fixed number of queries
whatever the number of rows (aggregates grouped in the database, merged here).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from compensation.models import (
    ZERO,
    Agreement,
    CompensationBreakdown,
    Fund,
    LedgerEntry,
    LedgerTally,
)
from core.compiled import CompiledValues
from projects.models import Household, Project

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")


# What a household's agreements add to its current breakdown: their supplements, except the
# part a breakdown computed again already counts (Agreement.adjustment_in_breakdown: a swap
# difference settled after the selection day).
ADJUSTMENT_BEYOND_BREAKDOWN = F("adjustment") - F("adjustment_in_breakdown")


def _zero():
    return Value(ZERO, output_field=MONEY_FIELD)


def _sum_subquery(queryset, group: str, column):
    """SUM(column: a field name or an expression) of `queryset` (filtered on OuterRef by
    `group`) as a scalar subquery."""
    summed = queryset.order_by().values(group).annotate(total=Sum(column)).values("total")
    return Coalesce(Subquery(summed, output_field=MONEY_FIELD), _zero())


def with_compensation(households: QuerySet[Household]) -> QuerySet[Household]:
    """Annotate each household with `breakdown_total` (its current breakdown's total, None when
    it has none), `adjustment_total` (its agreements' supplements) and `paid_sum` (its ledger
    entries, net of reversals, negative: money out of the fund): what `household_figures`
    reads."""
    adjustments = Agreement.objects.filter(household=OuterRef("pk"))
    entries = LedgerEntry.objects.filter(household=OuterRef("pk"))
    return households.annotate(
        # Joined, not a subquery: one current breakdown per household (a unique constraint).
        current_breakdown=FilteredRelation("breakdowns", condition=Q(breakdowns__is_current=True)),
        breakdown_total=F("current_breakdown__total"),
        adjustment_total=_sum_subquery(adjustments, "household", ADJUSTMENT_BEYOND_BREAKDOWN),
        paid_sum=_sum_subquery(entries, "household", "amount"),
    )


def unpaid_households(project: Project) -> tuple[int, Decimal]:
    """The project's signed households whose due and paid differ, to the fen, as
    `household_figures` reads them (due: current breakdown plus ADJUSTMENT_BEYOND_BREAKDOWN;
    paid: ledger entries net of reversals): (how many, the sum of their unpaid amounts in 元,
    negative where overpaid). One query: the three sources' rows per household added up and
    grouped, not a subquery per household."""
    with connection.cursor() as cursor:
        cursor.execute(_unpaid_sql("COUNT(*), SUM(unpaid)", "%s"), [project.pk] * 3)
        count, unpaid = cursor.fetchone()
    return count, Decimal(unpaid or ZERO).quantize(CENT)


def unpaid_households_count() -> RawSQL:
    """How many of the outer query's project's signed households `unpaid_households` counts: a
    scalar subquery over Project's table (a fact of projects.facts)."""
    sql = f"({_unpaid_sql('COUNT(*)', _outer_project())})"
    # S611: the SQL is written from the models' table and column names, with no input in it.
    return RawSQL(sql, (), output_field=IntegerField())  # noqa: S611


def _column(model, name: str) -> str:
    """Column `name` of `model` as the statements of this module alias its table: x."""
    return f"x.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def _outer_project() -> str:
    """The outer query's project: the primary key column of Project's table."""
    quote = connection.ops.quote_name
    return f"{quote(Project._meta.db_table)}.{quote(Project._meta.pk.column)}"


def _of_the_project(model, project: str) -> str:
    """FROM `model` (aliased x) joined to its household (aliased h) WHERE the household is
    `project`'s (a parameter, or the outer query's column): the rows of `_unpaid_sql` and
    `_due_sql`, written from the models' tables and columns."""
    quote = connection.ops.quote_name
    return (
        f"FROM {quote(model._meta.db_table)} x "
        f"JOIN {quote(Household._meta.db_table)} h "
        f"ON h.{quote(Household._meta.pk.column)} = {_column(model, 'household')} "
        f"WHERE h.{quote(Household._meta.get_field('project').column)} = {project}"
    )


@functools.cache
def _unpaid_sql(select: str, project: str) -> str:
    """The statement of `unpaid_households` selecting `select` (over the differing households'
    `unpaid`), the project being `project` (a parameter, or the outer query's column), written
    once from the models' tables and columns."""
    signed_on = connection.ops.quote_name(Household._meta.get_field("signed_on").column)

    def rows(model, amount: str, condition: str = "") -> str:
        return (
            f"SELECT {_column(model, 'household')} AS household, {amount} AS amount "
            f"{_of_the_project(model, project)} AND h.{signed_on} IS NOT NULL{condition}"
        )

    breakdowns = rows(
        CompensationBreakdown,
        _column(CompensationBreakdown, "total"),
        f" AND {_column(CompensationBreakdown, 'is_current')}",
    )
    adjustments = rows(  # ADJUSTMENT_BEYOND_BREAKDOWN
        Agreement,
        f"{_column(Agreement, 'adjustment')} - {_column(Agreement, 'adjustment_in_breakdown')}",
    )
    entries = rows(LedgerEntry, _column(LedgerEntry, "amount"))  # payments are negative
    # S608: the SQL is written from the models' table and column names; the project is a
    # parameter or a column.
    return (
        f"SELECT {select} FROM ("  # noqa: S608
        "SELECT ROUND(SUM(amount), 2) AS unpaid "
        f"FROM ({breakdowns} UNION ALL {adjustments} UNION ALL {entries}) AS money "
        "GROUP BY household HAVING ROUND(SUM(amount), 2) <> 0) AS differing"
    )


def household_figures(household: Household) -> dict[str, Decimal | bool]:
    """Due, paid and unpaid for one household (from an annotated row, or computed)."""
    if not hasattr(household, "paid_sum"):
        household = with_compensation(Household.objects.filter(pk=household.pk)).get()
    has_breakdown = household.breakdown_total is not None
    due = ((household.breakdown_total or ZERO) + household.adjustment_total).quantize(CENT)
    paid = -Decimal(household.paid_sum).quantize(CENT)
    return {
        "has_breakdown": has_breakdown,
        "due": due,
        "paid": paid,
        "unpaid": due - paid,
    }


@dataclass
class ReconciliationRow:
    project: Project
    fund: Fund | None
    deposits: Decimal = ZERO
    disbursements: Decimal = ZERO
    balance: Decimal = ZERO
    due: Decimal = ZERO
    paid: Decimal = ZERO
    households: int = 0
    computed: int = 0  # households with a breakdown

    @property
    def unpaid(self) -> Decimal:
        return self.due - self.paid

    @property
    def uncomputed(self) -> int:
        return self.households - self.computed


@dataclass
class Reconciliation:
    rows: list[ReconciliationRow] = field(default_factory=list)

    def total(self, name: str):
        return sum((getattr(row, name) for row in self.rows), ZERO if name != "households" else 0)

    @property
    def totals(self) -> dict:
        names = ("deposits", "disbursements", "balance", "due", "paid", "unpaid")
        return {name: self.total(name) for name in names} | {
            "households": sum(row.households for row in self.rows),
            "computed": sum(row.computed for row in self.rows),
        }


def _grouped(queryset, key: str, **aggregates) -> dict:
    rows = queryset.order_by().values(key).annotate(**aggregates)
    return {row[key]: row for row in rows}


def _total(groups: dict, pk: int) -> Decimal:
    """A grouped sum to the fen (SQLite sums decimals as floating point)."""
    value = (groups.get(pk) or {}).get("total") or ZERO
    return Decimal(value).quantize(CENT)


def reconciliation(projects: QuerySet[Project]) -> Reconciliation:
    """Deposits, disbursements, balance, compensation due, paid and unpaid per project
    (projects with a fund or with computed compensation), in five queries: the ledger's
    figures are the totals each fund keeps, the rest sums grouped in the database."""
    project_ids = list(projects.values_list("pk", flat=True))
    funds = {
        fund.project_id: fund
        for fund in Fund.objects.filter(project_id__in=project_ids).select_related("project")
    }
    breakdowns = _grouped(
        CompensationBreakdown.objects.current().filter(household__project_id__in=project_ids),
        "household__project_id",
        total=Sum("total"),
        count=Sum(Value(1)),
    )
    adjustments = _grouped(
        Agreement.objects.filter(household__project_id__in=project_ids),
        "household__project_id",
        total=Sum(ADJUSTMENT_BEYOND_BREAKDOWN),
    )
    household_counts = _grouped(
        Household.objects.filter(project_id__in=project_ids), "project_id", count=Sum(Value(1))
    )
    result = Reconciliation()
    # Not started yet (no date) first on every database, as PostgreSQL sorts NULL descending.
    started = F("started_on").desc(nulls_first=True)
    for project in projects.select_related("district").order_by(started, "code"):
        pk = project.pk
        if pk not in funds and pk not in breakdowns:
            continue
        result.rows.append(
            _row(
                project,
                funds.get(pk),
                due=_total(breakdowns, pk) + _total(adjustments, pk),
                households=(household_counts.get(pk) or {}).get("count") or 0,
                computed=(breakdowns.get(pk) or {}).get("count") or 0,
            )
        )
    return result


def _row(project: Project, fund: Fund | None, **figures) -> ReconciliationRow:
    return ReconciliationRow(
        project=project,
        fund=fund,
        # The fund keeps its totals (compensation.ledger); no fund, no entries.
        deposits=fund.deposited if fund else ZERO,
        disbursements=fund.disbursed if fund else ZERO,
        balance=fund.balance if fund else ZERO,
        paid=fund.paid_to_households if fund else ZERO,
        **figures,
    )


def with_due(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with what `fund_figures` needs besides the fund: `breakdown_sum`
    (its households' current breakdowns) and `adjustment_sum` (their agreements'
    supplements), yuan, 0 when none, as two scalar subqueries (no GROUP BY over the
    project's households and the columns read with it). `projects` must read Project as its
    base table (the subqueries name its table)."""
    breakdowns, adjustments = _due_sql()
    # S611: the SQL is written from the models' table and column names, with no input in it.
    return projects.annotate(
        breakdown_sum=RawSQL(breakdowns, (), output_field=MONEY_FIELD),  # noqa: S611
        adjustment_sum=RawSQL(adjustments, (), output_field=MONEY_FIELD),  # noqa: S611
    )


@functools.cache
def _due_sql() -> tuple[str, str]:
    """`with_due`'s two subqueries, written once from the models' tables and columns: the same
    as the ORM's Subquery(...values(project).annotate(Sum)) with Coalesce, which cost about
    1 ms of CPU to build and compile on every read of the fund page (bench/fund_page_bench.py)."""
    project = _outer_project()

    breakdowns = (
        f"SELECT COALESCE(SUM({_column(CompensationBreakdown, 'total')}), 0) "
        f"{_of_the_project(CompensationBreakdown, project)} "
        f"AND {_column(CompensationBreakdown, 'is_current')}"
    )
    # ADJUSTMENT_BEYOND_BREAKDOWN
    adjustments = (
        f"SELECT COALESCE(SUM({_column(Agreement, 'adjustment')} "
        f"- {_column(Agreement, 'adjustment_in_breakdown')}), 0) "
        f"{_of_the_project(Agreement, project)}"
    )
    return breakdowns, adjustments


def fund_figures(project: Project) -> ReconciliationRow:
    """The money of a project with a fund, as its `reconciliation` row has it (deposits,
    disbursements, balance, due, paid, unpaid), from a project read through `with_due` with
    its fund (select_related("fund")): no query. The row's household counts are not read
    (0): use `project_summary` for them."""
    return _row(project, project.fund, due=_due(project.breakdown_sum, project.adjustment_sum))


def _due(breakdown_sum, adjustment_sum) -> Decimal:
    """What is due, 元 to the fen: the current breakdowns' sum plus the supplements beyond them
    (ADJUSTMENT_BEYOND_BREAKDOWN), each summed to the fen as `_total` does (None counts 0)."""
    breakdowns = Decimal(breakdown_sum or ZERO).quantize(CENT)
    return breakdowns + Decimal(adjustment_sum or ZERO).quantize(CENT)


def with_summary(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project, in its own query, with what `project_summary` needs:
    `household_count`, `signed_count`, `computed_count` (households with a current
    breakdown) and `breakdown_sum` (yuan, None when none). Read the fund with it
    (select_related("fund")) to keep the page at one query."""
    # Each household joined with its one current breakdown (a unique constraint), if any:
    # no household counted twice, no GROUP BY over a subquery.
    return projects.annotate(
        current_breakdown=FilteredRelation(
            "households__breakdowns", condition=Q(households__breakdowns__is_current=True)
        ),
        household_count=Count("households"),
        signed_count=Count("households", filter=Q(households__signed_on__isnull=False)),
        computed_count=Count("current_breakdown"),
        breakdown_sum=Sum("current_breakdown__total"),
    )


@CompiledValues
def _project_adjustments(project_id: int):
    """The project's agreements' supplements (ADJUSTMENT_BEYOND_BREAKDOWN) summed: one row,
    none when the project has no agreement. Written once per process (core.compiled)."""
    agreements = Agreement.objects.filter(household__project_id=project_id).order_by()
    return (
        agreements.values("household__project_id")
        .annotate(total=Sum(ADJUSTMENT_BEYOND_BREAKDOWN))
        .values("total")
    )


def project_summary(project: Project) -> ReconciliationRow | None:
    """The project's row of `reconciliation`, from a project read through `with_summary`
    (with its fund: select_related("fund")); None when `reconciliation` leaves the project
    out: no fund and no computed compensation. One query (the agreements' supplements) when
    there is a row, none otherwise."""
    fund = getattr(project, "fund", None)  # a missing reverse one-to-one raises AttributeError
    if fund is None and not project.computed_count:
        return None
    adjustments = next((row["total"] for row in _project_adjustments(project.pk)), None)
    return _row(
        project,
        fund,
        due=_due(project.breakdown_sum, adjustments),
        households=project.household_count,
        computed=project.computed_count,
    )


@dataclass(frozen=True)
class YearFlows:
    """What went into and out of all the compensation funds in one year, by the entries'
    dates: yuan, each net of its reversals (a reversal counts in the year it is dated);
    None where the year has no such entry (a deposit and its reversal make 0, not None)."""

    deposits: Decimal | None
    disbursements: Decimal | None  # paid out: a positive sum


def year_flows(year: int) -> YearFlows:
    """The deposits into and the disbursements from every fund in `year` (one query: on
    PostgreSQL over the ledger's yearly tally, LedgerTally, a row per fund; elsewhere over
    the entries themselves, two)."""
    if connection.vendor == "postgresql":
        totals = LedgerTally.objects.filter(year=year).aggregate(
            deposits=Sum("deposits", filter=Q(deposit_entries__gt=0)),
            disbursements=Sum("disbursements", filter=Q(disbursement_entries__gt=0)),
        )
        deposits, disbursements = totals["deposits"], totals["disbursements"]
    else:
        entries = LedgerEntry.objects.filter(occurred_on__year=year)
        deposits = entries.deposits_net().aggregate(total=Sum("amount"))["total"]
        disbursements = entries.disbursements_net().aggregate(total=Sum("amount"))["total"]
    return YearFlows(
        deposits=deposits,
        disbursements=-disbursements if disbursements is not None else None,
    )
