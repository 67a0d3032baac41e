"""The default credit rules (appraisers.defaults): only fills empty tables."""

from django.db import migrations

from appraisers.defaults import ensure_credit_rules


def load(apps, schema_editor):
    ensure_credit_rules(
        apps.get_model("appraisers", "CreditPolicy"),
        apps.get_model("appraisers", "CreditGrade"),
        apps.get_model("appraisers", "CreditEventKind"),
    )


class Migration(migrations.Migration):
    dependencies = [("appraisers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
