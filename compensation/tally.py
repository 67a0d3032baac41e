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


def _upsert(entries: str) -> str:
    """Add the deposits and disbursements among `entries` (a table name) to their groups."""
    # Each entry with the kind it counts under: its own, or for a reversal its original's.
    # S608: `entries` is one of this module's table names, never input.
    counted = (
        "SELECT entry.fund_id, EXTRACT(YEAR FROM entry.occurred_on)::int AS year, "  # noqa: S608
        "entry.amount, COALESCE(reversed.kind, entry.kind) AS kind "
        f"FROM {entries} AS entry "
        "LEFT JOIN compensation_ledgerentry AS reversed ON reversed.id = entry.reverses_id"
    )
    return (
        f"INSERT INTO {TALLY} AS tally "  # noqa: S608
        "(fund_id, year, deposits, deposit_entries, disbursements, disbursement_entries) "
        "SELECT fund_id, year, "
        "COALESCE(SUM(amount) FILTER (WHERE kind = 'deposit'), 0), "
        "COUNT(*) FILTER (WHERE kind = 'deposit'), "
        "COALESCE(SUM(amount) FILTER (WHERE kind = 'disbursement'), 0), "
        "COUNT(*) FILTER (WHERE kind = 'disbursement') "
        f"FROM ({counted}) AS counted "
        "WHERE kind IN ('deposit', 'disbursement') "
        "GROUP BY fund_id, year "
        "ORDER BY fund_id, year "
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
