"""COUNT(*) as a value of a `.values()` query, for a count written once (core.compiled)."""

from django.db.models import Func, IntegerField


def count_all() -> Func:
    """COUNT(*) of the query's rows, for `queryset.order_by().values(count=count_all())`: one
    row. Not an aggregate to the ORM, which would GROUP BY every column of a `.values()`
    query without names (`values(count=Count("pk"))` gives one row per row)."""
    return Func(template="COUNT(*)", output_field=IntegerField())
