"""The trigger that keeps the ledger's yearly tally (LedgerTally) equal to the ledger.

Each INSERT statement on compensation_ledgerentry adds its entries, grouped by fund and year
of occurrence, to the tally in the same transaction: deposits and the reversals of deposits
to `deposits` (yuan, signed as in the ledger: a reversal subtracts) and `deposit_entries`
(how many), disbursements and the reversals of disbursements to `disbursements` (negative
yuan) and `disbursement_entries`. A reversal counts under the kind of the entry it reverses,
read from the ledger (it may have been inserted by the same statement). The ledger is
append-only (migration 0002 refuses UPDATE and DELETE), so inserts are the only change to
follow; TRUNCATE empties the tally too. A statement trigger with a transition table, so a
bulk insert of 500,000 entries is one grouped upsert; groups are upserted in key order, so
that two statements never take their locks in opposite orders. Declared on LedgerEntry
through django-pgtrigger, which installs it by migration on PostgreSQL only: on SQLite
(`make run`) the figures add up the entries themselves (compensation.reports.year_flows).
"""

import pgtrigger

TALLY = "compensation_ledgertally"


# The figures of one (fund, year) group, as the tally's columns, in this order.
FIGURES = ("deposits", "deposit_entries", "disbursements", "disbursement_entries")


def grouped(entries: str) -> str:
    """SQL: the deposits and disbursements among `entries` (a table name) added up by fund and
    year of occurrence, one row per group with at least one such entry, in key order, as the
    columns (fund_id, year, *FIGURES): yuan signed as in the ledger, and entry counts."""
    # Each entry with the kind it counts under: its own, or for a reversal its original's.
    # S608: `entries` is one of this module's table names, never input.
    counted = (
        "SELECT entry.fund_id, EXTRACT(YEAR FROM entry.occurred_on)::int AS year, "  # noqa: S608
        "entry.amount, COALESCE(reversed.kind, entry.kind) AS kind "
        f"FROM {entries} AS entry "
        "LEFT JOIN compensation_ledgerentry AS reversed ON reversed.id = entry.reverses_id"
    )
    return (
        "SELECT fund_id, year, "  # noqa: S608
        "COALESCE(SUM(amount) FILTER (WHERE kind = 'deposit'), 0), "
        "COUNT(*) FILTER (WHERE kind = 'deposit'), "
        "COALESCE(SUM(amount) FILTER (WHERE kind = 'disbursement'), 0), "
        "COUNT(*) FILTER (WHERE kind = 'disbursement') "
        f"FROM ({counted}) AS counted "
        "WHERE kind IN ('deposit', 'disbursement') "
        "GROUP BY fund_id, year "
        "ORDER BY fund_id, year"
    )


def _upsert(entries: str) -> str:
    """Add the deposits and disbursements among `entries` (a table name) to their groups."""
    return (
        f"INSERT INTO {TALLY} AS tally "
        "(fund_id, year, deposits, deposit_entries, disbursements, disbursement_entries) "
        f"{grouped(entries)} "
        "ON CONFLICT (fund_id, year) DO UPDATE "
        "SET deposits = tally.deposits + EXCLUDED.deposits, "
        "deposit_entries = tally.deposit_entries + EXCLUDED.deposit_entries, "
        "disbursements = tally.disbursements + EXCLUDED.disbursements, "
        "disbursement_entries = tally.disbursement_entries + EXCLUDED.disbursement_entries;"
    )


TRIGGERS = [
    pgtrigger.Trigger(
        name="ledger_tally_insert",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        referencing=pgtrigger.Referencing(new="new_rows"),
        func=_upsert("new_rows") + " RETURN NULL;",
    ),
    # DELETE, not TRUNCATE: the test runner's flush truncates both tables in one statement, and
    # a table that statement is truncating cannot be truncated again from its trigger.
    pgtrigger.Trigger(
        name="ledger_tally_truncate",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Truncate,
        func=f"DELETE FROM {TALLY}; RETURN NULL;",  # noqa: S608
    ),
]


def drift() -> str:
    """SQL: each (fund, year) group where the tally and the ledger's entries disagree, in key
    order, as (fund_id, year, *FIGURES added up from the entries, *FIGURES the tally keeps):
    a side's four figures are NULL where it has no group (no such entries / no tally row).
    A tally row of zeros with no entries agrees (the report reads nothing from it).

    One grouped pass over the entries (`grouped`, the trigger's own arithmetic), full-joined
    to the tally: what check_ledgers runs on PostgreSQL to catch a tally that drifted (a
    trigger dropped, rows fixed by hand)."""
    columns = ", ".join(("fund_id", "year", *FIGURES))
    added = ", ".join(f"added.{name}" for name in FIGURES)
    kept = ", ".join(f"kept.{name}" for name in FIGURES)
    zero = "COALESCE({}.{}, 0)"
    return (
        "SELECT COALESCE(added.fund_id, kept.fund_id), COALESCE(added.year, kept.year), "  # noqa: S608
        f"{added}, {kept} "
        f"FROM ({grouped('compensation_ledgerentry')}) AS added ({columns}) "
        f"FULL JOIN {TALLY} AS kept ON kept.fund_id = added.fund_id AND kept.year = added.year "
        f"WHERE ({', '.join(zero.format('added', name) for name in FIGURES)}) "
        f"IS DISTINCT FROM ({', '.join(zero.format('kept', name) for name in FIGURES)}) "
        "ORDER BY 1, 2"
    )
