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
"""

import functools
import itertools
import re
import weakref
from collections.abc import Callable

from django.db import connections, router
from django.db.models import Model, QuerySet

# Markers stand for the parameters while the ORM writes the SQL: integers no query holds
# otherwise, inside every integer column's range (Django turns a lookup on an integer out of the
# column's range into "no rows", which would drop the parameter from the SQL).
_FIRST_MARKER = 2_147_480_000

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


class CompiledValues:
    """`build(*parameters)`, a `.values()` queryset whose only varying parameters are integers
    or text passed in, compiled by the ORM once per database and run with new values.

    Calling it with the values returns the rows as a list of dicts (the keys and converters
    of `.values()`). Each parameter must reach the SQL as itself, once or more: an integer
    column compared with `=`, `__in`, `__gte`… gets the marker integer, a text column compared
    with `=` gets the marker's digits as text, and the call's value takes its place. A lookup
    that turns it into something else (e.g. `__contains`, which wraps it in %…%) is refused
    when compiled (ValueError)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        functools.update_wrapper(self, build)
        self._model = None
        self._compiled = {}  # database alias → what _compile returns
        self._statement = f"compiled_values_{next(_statement_numbers)}"

    def __call__(self, *parameters: int | str) -> list[dict]:
        if self._model is None:
            self._model = self.build(*parameters).model
        alias = router.db_for_read(self._model)
        compiled = self._compiled.get(alias) or self._compile(alias, len(parameters))
        sql, slots, names, converters = compiled
        values = [fixed if slot is None else parameters[slot] for slot, fixed in slots]
        connection = connections[alias]  # this thread's
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                self._prepare(connection, sql)
                arguments = f"({', '.join(['%s'] * len(values))})" if values else ""
                cursor.execute(f"EXECUTE {self._statement}{arguments}", values)
            else:
                cursor.execute(sql, values)
            rows = cursor.fetchall()
        if converters:  # as SQLCompiler.apply_converters, with this thread's connection
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in converters:
                    for convert in functions:
                        row[position] = convert(row[position], expression, connection)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _prepare(self, connection, sql: str) -> None:
        """PREPARE this query on `connection`'s driver connection unless it already is."""
        driver = connection.connection
        prepared = _prepared.get(driver)
        if prepared is None:
            prepared = _prepared[driver] = set()
        if self._statement not in prepared:
            numbered = _statement_sql[self._statement] = _numbered(sql)
            with connection.wrap_database_errors:
                driver.execute(f"PREPARE {self._statement} AS {numbered}")
            prepared.add(self._statement)

    def _compile(self, alias: str, count: int):
        markers = [_FIRST_MARKER + n for n in range(count)]
        query = self.build(*markers).using(alias).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # Each parameter of the SQL: (the index of the argument it stands for, None), or
        # (None, the value the queryset fixed). A text column's lookup has the marker's digits.
        slot_of = {marker: n for n, marker in enumerate(markers)}
        slot_of.update({str(marker): n for n, marker in enumerate(markers)})
        slots = [
            (slot_of[value], None)
            if isinstance(value, int | str) and value in slot_of
            else (None, value)
            for value in params
        ]
        if {slot for slot, _ in slots if slot is not None} != set(range(count)):
            raise ValueError(f"{self.build.__name__}: a parameter did not reach the SQL as itself")
        # The keys ValuesIterable gives the columns.
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        self._compiled[alias] = (sql, slots, names, converters)
        return self._compiled[alias]


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
