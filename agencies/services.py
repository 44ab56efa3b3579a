"""What changes agencies and their members."""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from agencies.models import Agency, Membership, Role
from voqo.events import record_audit
from voqo.models import AGENCY_FIELD_SETTINGS, DEFAULT_SETTINGS, SEEDED_SETTING_KEYS, Setting


def validate_time_zone(name: str) -> str:
    """`name` if ZoneInfo knows it, else a ValidationError naming it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValidationError(f"Unknown time zone {name!r} (use e.g. Australia/Sydney).") from error
    return name


@transaction.atomic
def create_agency(*, name: str, slug: str, time_zone: str | None = None) -> Agency:
    """Create an agency; ValidationError for an empty name, a bad or taken slug, an unknown zone."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("An agency needs a name.")
    validate_slug(slug)
    if Agency.objects.filter(slug=slug).exists():
        raise ValidationError(f"An agency with the slug {slug!r} already exists.")
    zone = validate_time_zone(time_zone or settings.TIME_ZONE)
    agency = Agency.objects.create(name=name, slug=slug, time_zone=zone)
    # The seed data model's settings exist as rows for every agency, as after `migrate`.
    Setting.objects.bulk_create(
        Setting(agency=agency, key=key, value=DEFAULT_SETTINGS[key]) for key in SEEDED_SETTING_KEYS
    )
    return agency


def add_member(*, agency: Agency, user, role: str) -> Membership:
    """Make `user` a member of `agency` with `role` (or change the role they already have)."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r} (one of {', '.join(Role.values)}).")
    membership, _ = Membership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": role}
    )
    return membership


@transaction.atomic
def save_agency_settings(*, agency: Agency, values: dict[str, Any], actor=None) -> Agency:
    """Store the settings page: the name and time zone on the Agency, the rest as its
    Setting rows; what changed goes to the audit trail (by `actor`)."""
    before = Setting.all_values(agency)
    fields = {field: values[key] for key, field in AGENCY_FIELD_SETTINGS.items() if key in values}
    if fields.get("name") is not None and not str(fields["name"]).strip():
        raise ValidationError("An agency needs a name.")
    if "time_zone" in fields:
        validate_time_zone(fields["time_zone"])
    for field, value in fields.items():
        setattr(agency, field, value.strip() if isinstance(value, str) else value)
    if fields:
        agency.save(update_fields=list(fields))
    for key, value in values.items():
        if key not in AGENCY_FIELD_SETTINGS:
            Setting.set_value(key, value, agency)
    changes = [
        {"field": key, "before": before.get(key), "after": value}
        for key, value in values.items()
        if before.get(key) != (value.strip() if isinstance(value, str) else value)
    ]
    if changes:
        record_audit(
            agency,
            actor,
            "settings.changed",
            "Changed settings: " + ", ".join(change["field"] for change in changes),
            detail={"changes": changes},
        )
    return agency
