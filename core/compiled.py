"""Queries the ORM writes once per process, then runs with each request's values.

Building and compiling a queryset costs Python time on every request: 0.7–2 ms of CPU for a
query with joins or subqueries (bench/fund_page_bench.py, measured on the fund page's three
queries), several times what PostgreSQL spends answering it. A hot page whose queries never
change shape can have the ORM write each one once: `CompiledValues` builds the queryset with
marker integers in place of its parameters, keeps the SQL and where each marker went, and from
then on sends that SQL through a cursor with the request's values. The rows come back as
`.values()` gives them (dicts, the database's converters applied), so the SQL stays the ORM's:
a renamed column or a changed lookup changes it with the models.

On PostgreSQL the SQL is also planned once per connection: it is PREPAREd the first time a
connection runs it and then EXECUTEd with the values, so PostgreSQL does not plan it again on
every request (planning the public look-up's household read costs it about three times what
running it does: 0.13 ms against 0.04 ms). A prepared statement lasts as long as its
connection and survives a rolled-back transaction; the PREPARE goes straight to the driver
(it is the connection's setup, not the request's work, as Django's own SET statements are),
so it is not in the query log. A pooler in transaction mode (PgBouncer) would break this.

The parameters may be integers, text, dates and datetimes. A query whose shape depends on the
caller (every district, or one district: core.scoping.scope) is written once per shape: the
number of parameters and any keyword arguments passed through to the build (`shape`) pick
the SQL.
"""

import datetime
import functools
import itertools
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Model, QuerySet

# Markers stand for the parameters while the ORM writes the SQL, twice, with two sets of
# markers: a parameter of the SQL that differs between the two is the marker of an argument
# (a value that a query fixes is the same both times, whatever it is). Integer markers lie
# inside every integer column's range, a small integer's included (Django turns a lookup whose
# value is out of the column's range into "no rows" or "every row", which would drop the
# parameter from the SQL); text markers are their digits, dates and datetimes lie in the 2900s.
_MARKER_INTEGERS = (30_000, 31_000)
_MARKER_YEARS = (2900, 2901)

# Each CompiledValues' prepared statement is named compiled_values_<n>.
_statement_numbers = itertools.count(1)
# The statements already prepared on each open driver connection (PostgreSQL): a new
# connection (a reconnect, another thread's) starts with none.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Each statement's SQL, by name, for reading query logs (logged_sql).
_statement_sql: dict[str, str] = {}
# Django's placeholders and escaped percent signs, as PostgreSQL's PREPARE wants them.
_PLACEHOLDER = re.compile(r"%([%s])")


def _numbered(sql: str) -> str:
    """`sql` with Django's %s placeholders numbered $1, $2, … and %% back to %."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(
        lambda match: "%" if match.group(1) == "%" else f"${next(numbers)}", sql
    )


Parameter = int | str | datetime.date | datetime.datetime


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Each parameter of the SQL: (the index of the argument it stands for and the function
    # that turns the argument into what the ORM would have sent, or None), or (None, the
    # value the queryset fixed).
    slots: list[tuple[int | None, Any]]
    names: list[str]  # the keys ValuesIterable gives the columns
    converters: list
    statement: str  # its name when PREPAREd


def _marker(value: Parameter, position: int, round_: int) -> Parameter:
    """The marker of the argument at `position` in round 0 or 1 (see _MARKER_INTEGERS)."""
    if isinstance(value, bool) or not isinstance(value, Parameter):
        raise TypeError(f"CompiledValues takes integers, text, dates and datetimes, not {value!r}")
    if isinstance(value, datetime.datetime):
        tz = datetime.UTC if settings.USE_TZ else None
        first = datetime.datetime(_MARKER_YEARS[round_], 1, 1, tzinfo=tz)
        return first + datetime.timedelta(seconds=position + 1)
    if isinstance(value, datetime.date):
        return datetime.date(_MARKER_YEARS[round_], 1, 1) + datetime.timedelta(days=position + 1)
    marker = _MARKER_INTEGERS[round_] + position
    return str(marker) if isinstance(value, str) else marker


class CompiledValues:
    """`build(*parameters, **shape)`, a `.values()` queryset whose only varying parameters
    are integers, text, dates or datetimes passed in, compiled by the ORM once per database
    (and per number of parameters and `shape`, hashable keyword arguments that choose the
    query's form) and run with new values.

    Calling it with the values (and the shape) returns the rows as a list of dicts (the keys
    and converters of `.values()`). Each parameter must reach the SQL as itself, once or more:
    a column compared with `=`, `__in`, `__gte`, `__range`… gets the marker, an integer
    marker's digits where a text column takes it, and the call's value takes its place. A
    lookup that turns it into something else (e.g. `__contains`, which wraps it in %…%, or
    `__year`, which makes dates of it) is refused when compiled (ValueError), and so is a
    query whose SQL changes with the parameters' values.

    `limit` and `offset` (keywords, not part of the shape) read one slice of the rows, as
    `queryset[offset:offset + limit]` would, with the slice's bounds as parameters of one
    SQL: a list reads its pages through `CompiledRows`. The queryset must be ordered and not
    sliced itself (ValueError)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        functools.update_wrapper(self, build)
        self._model = None
        self._compiled: dict[tuple, _Compiled] = {}  # (alias, count, shape) → _Compiled

    @property
    def _statement(self) -> str:
        """The name of the statement of the first form compiled (tests read it)."""
        return next(iter(self._compiled.values())).statement

    def __call__(
        self, *parameters: Parameter, limit: int | None = None, offset: int = 0, **shape
    ) -> list[dict]:
        if self._model is None:
            self._model = self.build(*parameters, **shape).model
        alias = router.db_for_read(self._model)
        sliced = limit is not None
        key = (alias, len(parameters), tuple(sorted(shape.items())), sliced)
        compiled = self._compiled.get(key) or self._compile(key, parameters, shape)
        values = [
            fixed if slot is None else fixed(parameters[slot]) for slot, fixed in compiled.slots
        ]
        if sliced:
            if limit < 0 or offset < 0:
                raise ValueError("a slice's limit and offset cannot be negative")
            values += [limit, offset]
        connection = connections[alias]  # this thread's
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                self._prepare(connection, compiled)
                arguments = f"({', '.join(['%s'] * len(values))})" if values else ""
                cursor.execute(f"EXECUTE {compiled.statement}{arguments}", values)
            else:
                cursor.execute(compiled.sql, values)
            rows = cursor.fetchall()
        if compiled.converters:  # as SQLCompiler.apply_converters, with this thread's connection
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in compiled.converters:
                    for convert in functions:
                        row[position] = convert(row[position], expression, connection)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _prepare(self, connection, compiled: _Compiled) -> None:
        """PREPARE this query on `connection`'s driver connection unless it already is."""
        driver = connection.connection
        prepared = _prepared.get(driver)
        if prepared is None:
            prepared = _prepared[driver] = set()
        if compiled.statement not in prepared:
            numbered = _statement_sql[compiled.statement] = _numbered(compiled.sql)
            with connection.wrap_database_errors:
                driver.execute(f"PREPARE {compiled.statement} AS {numbered}")
            prepared.add(compiled.statement)

    def _written(self, alias: str, markers: list, shape: dict):
        query = self.build(*markers, **shape).using(alias).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        return query, compiler, sql, list(params)

    def _compile(self, key: tuple, parameters: tuple, shape: dict) -> _Compiled:
        alias = key[0]
        ops = connections[alias].ops
        rounds = [
            [_marker(value, n, round_) for n, value in enumerate(parameters)] for round_ in (0, 1)
        ]
        query, compiler, sql, params = self._written(alias, rounds[0], shape)
        _, _, other_sql, other_params = self._written(alias, rounds[1], shape)
        name = self.build.__name__
        if key[-1]:  # a slice's bounds are the last two parameters (see __call__)
            ordered = query.order_by or (query.default_ordering and query.get_meta().ordering)
            if query.is_sliced or not ordered:
                raise ValueError(f"{name}: a sliced read needs an ordered, unsliced queryset")
            sql = other_sql = f"{sql} LIMIT %s OFFSET %s"
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError(f"{name}: the SQL changes with the parameters' values")
        # What the ORM may have made of a marker on its way to the SQL: itself, its digits
        # (a text column), the backend's form of a date or datetime (SQLite: text).
        adapters = [
            lambda value: value,
            str,
            ops.adapt_datefield_value,
            ops.adapt_datetimefield_value,
        ]
        slots: list[tuple[int | None, Any]] = []
        for first, second in zip(params, other_params, strict=True):
            if first == second:
                slots.append((None, first))
                continue
            slot = next(
                (
                    (n, adapt)
                    for n, (one, two) in enumerate(zip(*rounds, strict=True))
                    for adapt in adapters
                    if _same(adapt, one, first, two, second)
                ),
                None,
            )
            if slot is None:
                raise ValueError(f"{name}: a parameter did not reach the SQL as itself")
            slots.append(slot)
        if {slot for slot, _ in slots if slot is not None} != set(range(len(parameters))):
            raise ValueError(f"{name}: a parameter did not reach the SQL as itself")
        # The keys ValuesIterable gives the columns.
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        statement = f"compiled_values_{next(_statement_numbers)}"
        self._compiled[key] = _Compiled(sql, slots, names, converters, statement)
        return self._compiled[key]


def _same(adapt: Callable, one, first, two, second) -> bool:
    """Whether the SQL's parameters `first` and `second` are the markers `one` and `two` after
    `adapt` (a function of the backend's that may refuse a value of another type)."""
    try:
        return adapt(one) == first and adapt(two) == second
    except (TypeError, ValueError, AttributeError):
        return False


class CompiledRows:
    """A list's rows for Django's Paginator (core.http.paginate): `count` rows in all, a slice
    of them read when the page asks for it, by `rows(limit=, offset=)` (a CompiledValues
    called with the list's parameters, e.g. `functools.partial(compiled, project_id)`), each
    row made into what the page shows by `make` (a dict by default)."""

    def __init__(self, count: int, rows: Callable[..., list[dict]], make: Callable | None = None):
        self._count = count
        self._rows = rows
        self._make = make

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("CompiledRows reads slices only")
        start, stop, _ = item.indices(self._count)
        rows = self._rows(limit=max(stop - start, 0), offset=start)
        return rows if self._make is None else [self._make(row) for row in rows]


def logged_sql(sql: str) -> str:
    """What an entry of a query log (connection.queries, CaptureQueriesContext) ran: for the
    EXECUTE of a CompiledValues statement, that statement's SQL (placeholders $1, $2, …),
    else `sql` itself."""
    match = re.match(r"EXECUTE (compiled_values_\d+)\b", sql)
    return _statement_sql.get(match.group(1), sql) if match else sql


def field_names(model: type[Model], prefix: str = "") -> list[str]:
    """The `.values()` names of `model`'s concrete fields (attnames: `district_id`, not
    `district`), each after `prefix` (e.g. "district__" for a related model's)."""
    return [prefix + field.attname for field in model._meta.concrete_fields]


def instance(model: type[Model], row: dict, prefix: str = ""):
    """A `model` as the database gave it (Model.from_db) from the `field_names(model, prefix)`
    of a row of CompiledValues."""
    names = field_names(model)
    values = [row[prefix + name] for name in names]
    return model.from_db(router.db_for_read(model), names, values)
