"""Custom functions and their invocations carry their agent's agency."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_agency_from_parents(apps, schema_editor):
    Agent = apps.get_model("agents", "Agent")
    CustomFunction = apps.get_model("functions", "CustomFunction")
    FunctionInvocation = apps.get_model("functions", "FunctionInvocation")
    CustomFunction.objects.filter(agency__isnull=True).update(
        agency=Subquery(Agent.objects.filter(pk=OuterRef("agent_id")).values("agency_id")[:1])
    )
    FunctionInvocation.objects.filter(agency__isnull=True).update(
        agency=Subquery(
            CustomFunction.objects.filter(pk=OuterRef("function_id")).values("agency_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_default_agency"),
        ("agents", "0002_agent_agency"),
        ("functions", "0004_secret_headers"),
    ]

    operations = [
        migrations.AddField(
            model_name="customfunction",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AddField(
            model_name="functioninvocation",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.RunPython(copy_agency_from_parents, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="customfunction",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AlterField(
            model_name="functioninvocation",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AddIndex(
            model_name="functioninvocation",
            index=models.Index(fields=["agency", "-created_at"], name="idx_invocations_agency"),
        ),
    ]
