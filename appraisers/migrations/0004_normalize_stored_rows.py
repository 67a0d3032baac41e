"""Normalise firms' credit codes and valuers' names stored before core.normalize (issue 13)."""

from django.db import migrations

from core import normalize
from core.renormalize import renormalize


def forwards(apps, schema_editor):
    renormalize(
        apps,
        "appraisers.AppraisalFirm",
        {"credit_code": normalize.normalize_credit_code, "phone": normalize.normalize_stored_phone},
        unique=("credit_code",),
    )
    renormalize(apps, "appraisers.Valuer", {"name": normalize.normalize_name})


class Migration(migrations.Migration):
    dependencies = [("appraisers", "0003_normalized_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
