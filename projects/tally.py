"""The triggers that keep the households' tally (HouseholdTally) equal to the households.

Each INSERT, UPDATE or DELETE statement on projects_household adds its rows, grouped by
(project, year registered, year signed; 0 while unsigned), to the tally in the same
transaction: +1 household and +area (m²) for each row it writes, -1 and -area for each row it
replaces or removes; groups left without households are deleted. They are statement triggers
with transition tables (PostgreSQL allows those on one event each, hence three), so a bulk
insert of 100,000 households is one grouped upsert, and an update that changes none of the
four columns writes nothing. Groups are upserted in key order, so that two statements never
take their locks in opposite orders. TRUNCATE empties the tally too. Declared on the Household
model through django-pgtrigger, which installs them by migration on PostgreSQL only: on
SQLite (`make run`) the figures count the households themselves (projects.figures).
"""

import pgtrigger

TALLY = "projects_householdtally"

# A statement's rows as signed changes to their groups.
_WRITTEN = """
    SELECT project_id, EXTRACT(YEAR FROM registered_on)::int AS registered_year,
           COALESCE(EXTRACT(YEAR FROM signed_on)::int, 0) AS signed_year,
           1 AS households, area
    FROM new_rows"""
_REMOVED = """
    SELECT project_id, EXTRACT(YEAR FROM registered_on)::int AS registered_year,
           COALESCE(EXTRACT(YEAR FROM signed_on)::int, 0) AS signed_year,
           -1 AS households, -area AS area
    FROM old_rows"""


def _apply(changes: str) -> str:
    """Upsert the changes' sums into their groups, in key order; a statement that moves
    nothing writes nothing."""
    return (
        f"INSERT INTO {TALLY} AS tally "  # noqa: S608 (this module's constants, never input)
        "(project_id, registered_year, signed_year, households, area) "
        "SELECT project_id, registered_year, signed_year, SUM(households), SUM(area) "
        f"FROM ({changes}) AS change "
        "GROUP BY project_id, registered_year, signed_year "
        "HAVING SUM(households) <> 0 OR SUM(area) <> 0 "
        "ORDER BY project_id, registered_year, signed_year "
        "ON CONFLICT (project_id, registered_year, signed_year) DO UPDATE "
        "SET households = tally.households + EXCLUDED.households, "
        "area = tally.area + EXCLUDED.area;"
    )


# Groups left without households go (a deleted project leaves none behind).
_PRUNE = (
    f"DELETE FROM {TALLY} "  # noqa: S608 (constants)
    "WHERE households = 0 AND project_id IN (SELECT project_id FROM old_rows);"
)


def _statement(name: str, operation, func: str, **referencing) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=pgtrigger.Referencing(**referencing) if referencing else None,
        func=func + " RETURN NULL;",
    )


TRIGGERS = [
    _statement("household_tally_insert", pgtrigger.Insert, _apply(_WRITTEN), new="new_rows"),
    _statement(
        "household_tally_update",
        pgtrigger.Update,
        _apply(_WRITTEN + " UNION ALL " + _REMOVED) + " " + _PRUNE,
        old="old_rows",
        new="new_rows",
    ),
    _statement(
        "household_tally_delete", pgtrigger.Delete, _apply(_REMOVED) + " " + _PRUNE, old="old_rows"
    ),
    # DELETE, not TRUNCATE: the test runner's flush truncates both tables in one statement, and
    # a table that statement is truncating cannot be truncated again from its trigger.
    _statement("household_tally_truncate", pgtrigger.Truncate, f"DELETE FROM {TALLY};"),  # noqa: S608
]
