"""Queries the ORM writes once per process, then runs with each request's values.

Building and compiling a queryset costs Python time on every request: 0.7–2 ms of CPU for a
query with joins or subqueries (bench/fund_page_bench.py, measured on the fund page's three
queries), several times what PostgreSQL spends answering it. A hot page whose queries never
change shape can have the ORM write each one once: `CompiledValues` builds the queryset with
marker integers in place of its parameters, keeps the SQL and where each marker went, and from
then on sends that SQL through a cursor with the request's values. The rows come back as
`.values()` gives them (dicts, the database's converters applied), so the SQL stays the ORM's:
a renamed column or a changed lookup changes it with the models.
"""

import functools
from collections.abc import Callable

from django.db import connections, router
from django.db.models import Model, QuerySet

# Markers stand for the parameters while the ORM writes the SQL: integers no query holds
# otherwise, inside every integer column's range (Django turns a lookup on an integer out of the
# column's range into "no rows", which would drop the parameter from the SQL).
_FIRST_MARKER = 2_147_480_000


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

    def __call__(self, *parameters: int | str) -> list[dict]:
        if self._model is None:
            self._model = self.build(*parameters).model
        alias = router.db_for_read(self._model)
        compiled = self._compiled.get(alias) or self._compile(alias, len(parameters))
        sql, slots, names, converters = compiled
        values = [fixed if slot is None else parameters[slot] for slot, fixed in slots]
        connection = connections[alias]  # this thread's
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        if converters:  # as SQLCompiler.apply_converters, with this thread's connection
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in converters:
                    for convert in functions:
                        row[position] = convert(row[position], expression, connection)
        return [dict(zip(names, row, strict=True)) for row in rows]

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
