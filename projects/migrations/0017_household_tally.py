"""The households' tally (HouseholdTally), kept by PostgreSQL triggers on the households table.

Each INSERT, UPDATE or DELETE statement on projects_household adds its rows, grouped by
(project, year registered, year signed; 0 while unsigned), to the tally in the same
transaction: +1 household and +area for each row it writes, -1 and -area for each row it
replaces or removes. Statement triggers with transition tables, so a bulk insert of 100,000
households is one grouped upsert, and an update that changes none of the four columns writes
nothing. Groups are upserted in key order, so that two statements never take their locks in
opposite orders. TRUNCATE empties the tally too. Only on PostgreSQL (production, CI): on
SQLite the figures count the households themselves (projects.figures).
"""

import django.db.models.deletion
from django.db import migrations, models

# A statement's rows as signed changes to their groups: +1 household and +area for each row
# it writes (new_rows), -1 and -area for each row it replaces or removes (old_rows).
WRITTEN = """
    SELECT project_id, EXTRACT(YEAR FROM registered_on)::int AS registered_year,
           COALESCE(EXTRACT(YEAR FROM signed_on)::int, 0) AS signed_year,
           1 AS households, area
    FROM new_rows"""
REMOVED = """
    SELECT project_id, EXTRACT(YEAR FROM registered_on)::int AS registered_year,
           COALESCE(EXTRACT(YEAR FROM signed_on)::int, 0) AS signed_year,
           -1 AS households, -area AS area
    FROM old_rows"""


def _apply(changes: str) -> str:
    """Upsert the changes' sums into their groups, in key order (no two statements take the
    groups' locks in opposite orders); a statement that moves nothing writes nothing."""
    # S608: `changes` is one of this module's constants, never input.
    return (
        "INSERT INTO projects_householdtally AS tally "  # noqa: S608
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
PRUNE = """
    DELETE FROM projects_householdtally
    WHERE households = 0 AND project_id IN (SELECT project_id FROM old_rows);"""

CREATE_FUNCTION = (
    "CREATE OR REPLACE FUNCTION projects_household_tally() RETURNS trigger AS $$\n"
    "BEGIN\n"
    "    IF TG_OP = 'INSERT' THEN\n"
    f"        {_apply(WRITTEN)}\n"
    "    ELSIF TG_OP = 'UPDATE' THEN\n"
    f"        {_apply(WRITTEN + ' UNION ALL ' + REMOVED)}\n"
    f"        {PRUNE}\n"
    "    ELSIF TG_OP = 'DELETE' THEN\n"
    f"        {_apply(REMOVED)}\n"
    f"        {PRUNE}\n"
    "    ELSE\n"
    # DELETE, not TRUNCATE: the test runner's flush truncates both tables in one statement,
    # and a table that statement is truncating cannot be truncated again from its trigger.
    "        DELETE FROM projects_householdtally;\n"
    "    END IF;\n"
    "    RETURN NULL;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql;"
)

TRIGGERS = {
    "insert": "AFTER INSERT ON projects_household REFERENCING NEW TABLE AS new_rows",
    "update": "AFTER UPDATE ON projects_household "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "AFTER DELETE ON projects_household REFERENCING OLD TABLE AS old_rows",
    "truncate": "AFTER TRUNCATE ON projects_household",
}

BACKFILL = """
    INSERT INTO projects_householdtally
        (project_id, registered_year, signed_year, households, area)
    SELECT project_id, EXTRACT(YEAR FROM registered_on)::int,
           COALESCE(EXTRACT(YEAR FROM signed_on)::int, 0), COUNT(*), SUM(area)
    FROM projects_household
    GROUP BY 1, 2, 3;"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for name, when in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER projects_household_tally_{name} {when} "
            "FOR EACH STATEMENT EXECUTE FUNCTION projects_household_tally();"
        )
    # In the migration's transaction, after CREATE TRIGGER locked out concurrent writes.
    schema_editor.execute(BACKFILL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGGERS:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS projects_household_tally_{name} ON projects_household;"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS projects_household_tally();")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0016_household_project_totals_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="HouseholdTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("registered_year", models.PositiveSmallIntegerField(verbose_name="登记年度")),
                (
                    "signed_year",
                    models.PositiveSmallIntegerField(
                        help_text="0：未签约", verbose_name="签约年度"
                    ),
                ),
                ("households", models.IntegerField(verbose_name="户数")),
                (
                    "area",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="面积（平方米）"
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.project",
                        verbose_name="项目",
                    ),
                ),
            ],
            options={
                "verbose_name": "被征收户汇总",
                "verbose_name_plural": "被征收户汇总",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project", "registered_year", "signed_year"),
                        name="household_tally_group",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
