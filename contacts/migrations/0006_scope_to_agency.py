"""Every contact, memory, suppressed number and import mapping belongs to an agency: the
existing rows move into the first agency; unique rules become per agency."""

import django.db.models.deletion
from django.db import migrations, models

SCOPED = ["Contact", "SuppressedNumber", "ImportMapping"]


def move_rows_into_first_agency(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    Contact = apps.get_model("contacts", "Contact")
    Memory = apps.get_model("contacts", "Memory")
    if not any(apps.get_model("contacts", name).objects.exists() for name in SCOPED):
        return
    agency = Agency.objects.order_by("created_at").first()
    if agency is None:
        raise RuntimeError(
            "Contacts exist but no agency does: run the agencies migrations first."
        )
    for name in SCOPED:
        apps.get_model("contacts", name).objects.filter(agency__isnull=True).update(
            agency=agency
        )
    # A memory takes its contact's agency.
    Memory.objects.filter(agency__isnull=True).update(
        agency=models.Subquery(
            Contact.objects.filter(pk=models.OuterRef("contact_id")).values("agency")[:1]
        )
    )


def _nullable_agency():
    return models.ForeignKey(
        null=True,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="agencies.agency",
    )


def _agency():
    return models.ForeignKey(
        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="agencies.agency"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_default_agency"),
        ("contacts", "0005_suppressed_numbers"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="contact", name="idx_contacts_phone"),
        migrations.RemoveIndex(model_name="contact", name="idx_contacts_name"),
        migrations.RemoveConstraint(model_name="importmapping", name="idx_import_mappings_key"),
        migrations.AlterField(
            model_name="suppressednumber",
            name="phone",
            field=models.CharField(help_text="E.164, e.g. +61412345678", max_length=20),
        ),
        migrations.AddField(model_name="contact", name="agency", field=_nullable_agency()),
        migrations.AddField(model_name="memory", name="agency", field=_nullable_agency()),
        migrations.AddField(model_name="importmapping", name="agency", field=_nullable_agency()),
        migrations.AddField(
            model_name="suppressednumber", name="agency", field=_nullable_agency()
        ),
        migrations.RunPython(move_rows_into_first_agency, migrations.RunPython.noop),
        migrations.AlterField(model_name="contact", name="agency", field=_agency()),
        migrations.AlterField(model_name="memory", name="agency", field=_agency()),
        migrations.AlterField(model_name="importmapping", name="agency", field=_agency()),
        migrations.AlterField(model_name="suppressednumber", name="agency", field=_agency()),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                fields=("agency", "phone"), name="idx_contacts_agency_phone"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["agency", "name", "phone"], name="idx_contacts_agency_name"
            ),
        ),
        migrations.AddConstraint(
            model_name="importmapping",
            constraint=models.UniqueConstraint(
                fields=("agency", "kind", "headers_key"), name="idx_import_mappings_agency_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="suppressednumber",
            constraint=models.UniqueConstraint(
                fields=("agency", "phone"), name="idx_suppressed_numbers_agency_phone"
            ),
        ),
    ]
