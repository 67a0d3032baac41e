"""The kept rows of an upload packed by column, as compact UTF-8 JSON compressed with lz4
(issue 16: the page path of a 10,000-row import wrote and read 2.8 MB of row objects)."""

from django.db import migrations, models

import core.compact_json

PACKABLE = ("validated", "importing")


def pack_kept_rows(apps, schema_editor):
    """Uploads waiting for confirmation keep their rows in the new shape; imported and failed
    ones keep none (their rows are not read again)."""
    HouseholdImport = apps.get_model("projects", "HouseholdImport")
    for record in HouseholdImport.objects.filter(status__in=PACKABLE).only("records"):
        records = record.records
        if isinstance(records, list) and records:
            names = list(records[0])
            record.records = {name: [row.get(name) for row in records] for name in names}
            record.save(update_fields=["records"])


def compress_with_lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # PostgreSQL 14 and later, built with lz4 (Debian's and the official images are); pglz,
    # the default, takes about three times as long to write the kept rows.
    schema_editor.execute(
        "DO $$ BEGIN "
        "ALTER TABLE projects_householdimport ALTER COLUMN records SET COMPRESSION lz4; "
        "EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value "
        "THEN NULL; END $$"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0014_notice_selection_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="householdimport",
            name="records",
            field=models.JSONField(
                blank=True,
                default=list,
                editable=False,
                encoder=core.compact_json.CompactJSONEncoder,
                verbose_name="已校验的行",
            ),
        ),
        migrations.RunPython(compress_with_lz4, migrations.RunPython.noop),
        migrations.RunPython(pack_kept_rows, migrations.RunPython.noop),
    ]
