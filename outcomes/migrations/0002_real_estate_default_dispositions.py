from django.db import migrations


def give_every_agency_the_defaults(apps, schema_editor):
    from outcomes.dispositions import create_default_dispositions

    Agency = apps.get_model("agencies", "Agency")
    Disposition = apps.get_model("outcomes", "Disposition")
    for agency_id in Agency.objects.values_list("pk", flat=True):
        create_default_dispositions(agency_id, model=Disposition)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_dispositions_outcomes_alerts"),
    ]

    operations = [
        migrations.RunPython(give_every_agency_the_defaults, migrations.RunPython.noop),
    ]
