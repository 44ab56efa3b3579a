"""Project-wide models: the key/value Setting table and the agency's time zone."""

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import models

# Defaults for every setting Voqo reads. The first five are created by a data migration
# (seed data model); the others fall back to these values until staff change them.
DEFAULT_SETTINGS: dict[str, Any] = {
    # Works for calls either way (no "thanks for calling" after Voqo rang them).
    "sms_template": (
        "Hi {first_name}, thanks for talking with us today. Here's a summary of our "
        "conversation: {call_summary}. Feel free to call us back anytime. - {agent_name}"
    ),
    "sms_enabled": True,
    "sms_skip_silent": True,
    # Off: foreign mobiles may cost more and be unexpected; landlines never get SMS.
    "sms_foreign_mobiles": False,
    "auto_create_contacts": True,
    "save_memories": True,
    "agency_name": "Harbour Realty",
    "time_zone": "Australia/Sydney",
    # Where the agency's contacts live when a contact or upload row does not say (a state
    # code, or "" for anywhere in Australia): mobiles are called in that state's hours.
    "default_state": "",
    # Days kept before the purge removes them (retention.purge): recordings and transcripts
    # of calls, raw provider webhook payloads. The hosted Voqo keeps recordings 6 months.
    "retention_recording_days": 180,
    "retention_transcript_days": 730,
    "retention_webhook_payload_days": 30,
    # Hours a caller's cloned voice is reused before it is deleted at ElevenLabs (voices).
    "voice_clone_ttl_hours": 24,
}
SEEDED_SETTING_KEYS = (
    "sms_template",
    "sms_enabled",
    "sms_skip_silent",
    "auto_create_contacts",
    "save_memories",
)
_CACHE_SECONDS = 30
# Per-agency facts kept on the Agency itself; all_values() shows them under these keys.
AGENCY_FIELD_SETTINGS = {"agency_name": "name", "time_zone": "time_zone"}


def _cache_key(agency_id) -> str:
    return f"voqo:settings:v2:{agency_id}"


class UUIDModel(models.Model):
    """UUID primary keys, as the seed data model has on every table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Setting(UUIDModel):
    """A per-agency value (`agency` set) or an install-wide fact (`agency` NULL: when each
    provider webhook was last seen, the last connection check), keyed by `key`."""

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="settings",
    )
    key = models.CharField(max_length=100)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "settings"
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="setting_unique_agency_key"),
            # NULLs differ in a unique index: install-wide keys need their own rule.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(agency__isnull=True),
                name="setting_unique_install_key",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.agency_id is not None:
            cache.delete(_cache_key(self.agency_id))

    @classmethod
    def all_values(cls, agency) -> dict[str, Any]:
        """Every setting of `agency` with defaults filled in, its name and time zone included;
        cached briefly per agency because hot paths read it. None (no agency at all): the
        defaults."""
        if agency is None:
            return {**DEFAULT_SETTINGS, "time_zone": settings.TIME_ZONE}
        key = _cache_key(agency.pk)
        values = cache.get(key)
        if values is None:
            values = dict(DEFAULT_SETTINGS)
            values.update(dict(cls.objects.filter(agency=agency).values_list("key", "value")))
            cache.set(key, values, _CACHE_SECONDS)
        # The Agency row is the one source of its name and zone (the instance at hand).
        return {**values, **{k: getattr(agency, f) for k, f in AGENCY_FIELD_SETTINGS.items()}}

    @classmethod
    def get_value(cls, key: str, agency) -> Any:
        return cls.all_values(agency).get(key, DEFAULT_SETTINGS.get(key))

    @classmethod
    def set_value(cls, key: str, value: Any, agency) -> None:
        if key in AGENCY_FIELD_SETTINGS:
            raise ValueError(f"{key!r} is a field of the agency: change the Agency instead.")
        cls.objects.update_or_create(agency=agency, key=key, defaults={"value": value})
        forget_agency_settings(agency.pk)

    @classmethod
    def install_value(cls, key: str) -> Any:
        """An install-wide fact (not cached: only pages read these)."""
        return (
            cls.objects.filter(agency__isnull=True, key=key).values_list("value", flat=True).first()
        )

    @classmethod
    def set_install_value(cls, key: str, value: Any) -> None:
        cls.objects.update_or_create(agency=None, key=key, defaults={"value": value})


def forget_agency_settings(agency_id) -> None:
    """Drop the cached settings of one agency (after its rows or its Agency row change)."""
    cache.delete(_cache_key(agency_id))


def agency_zone(values_or_agency) -> ZoneInfo:
    """The agency's time zone: from an Agency, or from `Setting.all_values(agency)` already
    read.

    The one zone reader: a name ZoneInfo does not know falls back to settings.TIME_ZONE.
    """
    if isinstance(values_or_agency, dict):
        name = values_or_agency.get("time_zone")
    else:
        name = getattr(values_or_agency, "time_zone", None)
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, TypeError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)
