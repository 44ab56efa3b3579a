"""One agency for an install that had none: named from the `agency_name` setting, in the
`time_zone` setting's zone; every staff user and superuser becomes its owner. Later
migrations move existing rows into the first agency (ordered by created_at)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify


def _setting(Setting, key: str):
    row = Setting.objects.filter(key=key).first()
    return row.value if row is not None else None


def create_default_agency(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    Membership = apps.get_model("agencies", "Membership")
    Setting = apps.get_model("voqo", "Setting")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    if Agency.objects.exists():
        return
    name = _setting(Setting, "agency_name")
    name = name.strip()[:200] if isinstance(name, str) and name.strip() else "My agency"
    zone = _setting(Setting, "time_zone")
    try:
        ZoneInfo(zone)
    except (KeyError, TypeError, ValueError):
        zone = settings.TIME_ZONE
    agency = Agency.objects.create(
        name=name, slug=slugify(name)[:100] or "agency", time_zone=zone
    )
    owners = User.objects.filter(is_staff=True) | User.objects.filter(is_superuser=True)
    Membership.objects.bulk_create(
        Membership(user=user, agency=agency, role="owner") for user in owners.distinct()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_agencies_and_memberships"),
        ("voqo", "0005_sms_template_for_both_directions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [migrations.RunPython(create_default_agency, migrations.RunPython.noop)]
