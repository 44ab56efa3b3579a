"""Calling-window region keys: area codes become "02"/"03"/"07" (state codes now name states
a contact lives in), and foreign numbers get their own "INT" (never given the agency's
default state, which "AU" mobiles take)."""

from django.db import migrations

AREA_KEYS = {"NSW": "02", "VIC": "03", "QLD": "07"}


def forwards(apps, schema_editor):
    BatchContact = apps.get_model("campaigns", "BatchContact")
    for old, new in AREA_KEYS.items():
        BatchContact.objects.filter(region=old).update(region=new)
    BatchContact.objects.filter(region="AU").exclude(phone__startswith="+61").update(region="INT")


def backwards(apps, schema_editor):
    BatchContact = apps.get_model("campaigns", "BatchContact")
    # State keys did not exist before: their numbers fall back to the safe reading.
    states = ["NSW", "VIC", "QLD", "SA", "WA", "TAS", "NT", "ACT", "INT"]
    BatchContact.objects.filter(region__in=states).update(region="AU")
    for old, new in AREA_KEYS.items():
        BatchContact.objects.filter(region=new).update(region=old)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_batch_contact_state")]

    operations = [migrations.RunPython(forwards, backwards)]
