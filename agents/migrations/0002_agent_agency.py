"""Every agent belongs to an agency: existing agents move into the first agency."""

import django.db.models.deletion
from django.db import migrations, models


def move_into_first_agency(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    Agent = apps.get_model("agents", "Agent")
    if not Agent.objects.filter(agency__isnull=True).exists():
        return
    agency = Agency.objects.order_by("created_at").first()
    if agency is None:
        raise RuntimeError("Agents exist but there is no agency to move them into.")
    Agent.objects.filter(agency__isnull=True).update(agency=agency)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_default_agency"),
        ("agents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agent",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.RunPython(move_into_first_agency, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="agent",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AddIndex(
            model_name="agent",
            index=models.Index(fields=["agency", "name"], name="idx_agents_agency_name"),
        ),
    ]
