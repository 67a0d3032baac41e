from django.db import migrations, models


def flag_existing_codes(apps, schema_editor):
    # Every code issued so far was 6 digits: it keeps working (only its hash is stored, so it
    # cannot be lengthened here), and staff see that the case needs a new, long code.
    apps.get_model("petitions", "Petition").objects.update(has_short_code=True)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0003_normalize_stored_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpetition",
            name="has_short_code",
            field=models.BooleanField(default=False, editable=False, verbose_name="旧式6位查询码"),
        ),
        migrations.AddField(
            model_name="petition",
            name="has_short_code",
            field=models.BooleanField(default=False, editable=False, verbose_name="旧式6位查询码"),
        ),
        migrations.RunPython(flag_existing_codes, migrations.RunPython.noop),
    ]
