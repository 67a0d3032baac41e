"""Conditions on amounts of money (yuan to the fen, `DecimalField(decimal_places=2)`) that hold
on both databases the app runs on.

PostgreSQL's numeric is exact. SQLite (`make run`, the laptop default) stores decimals as
floating point, where 0.1 + 0.2 is not 0.3: a CHECK constraint (and Django's check of it in
`full_clean`) that compares a sum of amounts with `=` refuses rows that add up to the fen.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

# Slack for conditions that add amounts: amounts have two places, so on PostgreSQL the slack
# never lets a fen through; on SQLite it absorbs a float's tail.
SUM_SLACK = models.Value(
    Decimal("0.001"), output_field=models.DecimalField(max_digits=4, decimal_places=3)
)


def equals_to_the_fen(field: str, total) -> Q:
    """`field` equals `total` (an expression adding amounts, in yuan) to the fen, on either
    database: within `SUM_SLACK` of it."""
    return Q(**{f"{field}__gte": total - SUM_SLACK, f"{field}__lte": total + SUM_SLACK})
