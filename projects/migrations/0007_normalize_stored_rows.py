"""Normalise households and family members stored before core.normalize (issue 13)."""

from django.db import migrations

from core import normalize
from core.renormalize import renormalize


def forwards(apps, schema_editor):
    renormalize(
        apps,
        "projects.Household",
        {
            "code": normalize.normalize_identifier,
            "head_name": normalize.normalize_name,
            "id_number": normalize.normalize_resident_id,
            "phone": normalize.normalize_stored_phone,
        },
        unique=("project_id", "code"),
        duplicates_within=("project_id", "id_number"),
    )
    renormalize(
        apps,
        "projects.FamilyMember",
        {
            "name": normalize.normalize_name,
            "id_number": normalize.normalize_resident_id,
            "phone": normalize.normalize_stored_phone,
        },
        duplicates_within=("household_id", "id_number"),
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_normalized_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
