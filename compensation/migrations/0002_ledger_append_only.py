"""Ledger rows cannot be updated or deleted, even from a shell: a PostgreSQL trigger refuses it.

Only on PostgreSQL (production, CI). SQLite, the laptop default, has no such guard: there the
rule rests on the application (entries are only ever inserted by compensation.ledger) and on
the hash chain, which `check_ledgers` verifies.

TRUNCATE is deliberately not refused: the test runner empties tables with TRUNCATE between
transactional tests. A truncated ledger breaks the chain against the published hashes.
"""

from django.db import migrations

TABLES = ["compensation_ledgerentry", "compensation_fundhashpublication"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION compensation_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (a mistake is undone by a reversing entry)',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the % in RAISE are PL/pgSQL placeholders, not the driver's.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION compensation_refuse_change();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS compensation_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
