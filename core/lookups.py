"""`ilike`: `icontains`'s SQL with a pattern the caller has built, so that a query written once
(core.compiled) takes the search as a parameter of its own. `__icontains=term` wraps the term in
%…% on its way to the SQL, which a compiled query refuses; `__ilike=contains_pattern(term)`
sends the same pattern as a value of its own and finds the same rows (case-insensitive, with a
user's %, _ and \\ matched as themselves)."""

from django.db import connection
from django.db.models import CharField, TextField
from django.db.models.lookups import BuiltinLookup, IContains


class ILike(IContains):
    """`field__ilike=pattern`: the SQL of `field__icontains` (its lookup_name stays
    "icontains", which the backends' operators and casts are keyed by), with `pattern` sent as
    it is: a LIKE pattern, % and _ wildcards, \\ escaping (contains_pattern builds one)."""

    def process_rhs(self, qn, connection):
        # PatternLookup.process_rhs would escape and wrap the value: skip to the plain one.
        return BuiltinLookup.process_rhs(self, qn, connection)


CharField.register_lookup(ILike, lookup_name="ilike")
TextField.register_lookup(ILike, lookup_name="ilike")


def contains_pattern(text: str) -> str:
    """The LIKE pattern `field__icontains=text` would send: `text` with its %, _ and \\
    escaped, between two % wildcards."""
    return f"%{connection.ops.prep_for_like_query(text)}%"
