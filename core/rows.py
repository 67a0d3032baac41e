"""Rows of a list read by a query written once (core.compiled), as its pages use them."""

from django.db.models import DecimalField, Func, IntegerField


class Row(dict):
    """A row of a list's table: the template reads its keys (a dictionary look-up, the
    template engine's first try), Python code and tests its attributes (`row.code`)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def count_all() -> Func:
    """COUNT(*) of the query's rows, for `queryset.order_by().values(count=count_all())`: one
    row. Not an aggregate to the ORM, which would GROUP BY every column of a `.values()`
    query without names (`values(count=Count("pk"))` gives one row per row)."""
    return Func(template="COUNT(*)", output_field=IntegerField())


def count_of(name: str) -> Func:
    """COUNT(column): the rows where `name` is not NULL, as count_all is written."""
    return Func(name, function="COUNT", output_field=IntegerField())


def sum_of(name: str, field: DecimalField) -> Func:
    """SUM(column) as a `field` (None without rows), as count_all is written."""
    return Func(name, function="SUM", output_field=field.clone())
