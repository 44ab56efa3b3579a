"""What changes agencies and their members."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from agencies.models import Agency, Membership, Role


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
    return Agency.objects.create(name=name, slug=slug, time_zone=zone)


def add_member(*, agency: Agency, user, role: str) -> Membership:
    """Make `user` a member of `agency` with `role` (or change the role they already have)."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r} (one of {', '.join(Role.values)}).")
    membership, _ = Membership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": role}
    )
    return membership
