"""Every call, SMS and webhook event belongs to an agency: existing rows move into the first
agency (by creation), then the column becomes NOT NULL for calls and SMS. Webhook events keep
a nullable agency: it is only known once an event is processed."""

import django.db.models.deletion
from django.db import migrations, models


def move_rows_into_the_first_agency(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    models_to_fill = [apps.get_model("calls", name) for name in ("Call", "SmsMessage", "WebhookEvent")]
    if not any(model.objects.exists() for model in models_to_fill):
        return
    agency = Agency.objects.order_by("created_at").first()
    if agency is None:  # 0002_default_agency always leaves one; never invent a second
        return
    for model in models_to_fill:
        model.objects.filter(agency__isnull=True).update(agency=agency)


def _nullable_agency(**options):
    return models.ForeignKey(
        null=True,
        blank=True,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="agencies.agency",
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_default_agency"),
        ("calls", "0006_call_window_override"),
    ]

    operations = [
        migrations.AddField(
            model_name="call", name="agency", field=_nullable_agency(db_index=False)
        ),
        migrations.AddField(model_name="smsmessage", name="agency", field=_nullable_agency()),
        migrations.AddField(
            model_name="webhookevent", name="agency", field=_nullable_agency(db_index=False)
        ),
        migrations.RunPython(move_rows_into_the_first_agency, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="call",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AlterField(
            model_name="smsmessage",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AlterField(
            model_name="smsmessage", name="sid", field=models.CharField(max_length=64)
        ),
        migrations.AddConstraint(
            model_name="smsmessage",
            constraint=models.UniqueConstraint(
                fields=("sid", "agency"), name="sms_messages_unique_sid"
            ),
        ),
        migrations.RemoveIndex(model_name="call", name="idx_calls_direction_date"),
        migrations.AddIndex(
            model_name="call",
            index=models.Index(fields=["agency", "created_at"], name="idx_calls_agency_date"),
        ),
        migrations.AddIndex(
            model_name="call",
            index=models.Index(
                fields=["agency", "status", "created_at"], name="idx_calls_agency_status_date"
            ),
        ),
        migrations.AddIndex(
            model_name="call",
            index=models.Index(
                fields=["agency", "direction", "created_at"], name="idx_calls_agency_dir_date"
            ),
        ),
    ]
