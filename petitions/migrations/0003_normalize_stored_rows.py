"""Normalise petitioners and visitors stored before core.normalize (issue 13)."""

from django.db import migrations

from core import normalize
from core.renormalize import renormalize


def forwards(apps, schema_editor):
    renormalize(
        apps,
        "petitions.Petitioner",
        {
            "name": normalize.normalize_name,
            "id_number": normalize.normalize_resident_id,
            "phone": normalize.normalize_stored_phone,
        },
    )
    renormalize(
        apps,
        "petitions.Visit",
        {
            "visitor_name": normalize.normalize_name,
            "visitor_id_number": normalize.normalize_resident_id,
            "visitor_phone": normalize.normalize_stored_phone,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0002_normalized_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
