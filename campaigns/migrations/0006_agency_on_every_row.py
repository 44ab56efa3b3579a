"""Every campaign row belongs to an agency: existing campaigns, uploads, batch contacts, jobs
and job calls move into the install's first agency (the one 0002_default_agency made)."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ["campaign", "upload", "batchcontact", "job", "jobcall"]


def move_into_first_agency(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    tables = [apps.get_model("campaigns", name) for name in MODELS]
    if not any(model.objects.filter(agency__isnull=True).exists() for model in tables):
        return
    agency = Agency.objects.order_by("created_at").first()
    if agency is None:
        agency = Agency.objects.create(name="My agency", slug="my-agency")
    for model in tables:
        model.objects.filter(agency__isnull=True).update(agency=agency)


def _agency_field(*, null: bool):
    return models.ForeignKey(
        null=null,
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="agencies.agency",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_default_agency"),
        ("campaigns", "0005_window_region_keys"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=name, name="agency", field=_agency_field(null=True))
            for name in MODELS
        ),
        migrations.RunPython(move_into_first_agency, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=name, name="agency", field=_agency_field(null=False))
            for name in MODELS
        ),
        migrations.AddIndex(
            model_name="campaign",
            index=models.Index(fields=["agency", "created_at"], name="idx_campaigns_agency_created"),
        ),
        migrations.AddIndex(
            model_name="upload",
            index=models.Index(fields=["agency", "created_at"], name="idx_uploads_agency_created"),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(fields=["agency", "created_at"], name="idx_jobs_agency_created"),
        ),
    ]
