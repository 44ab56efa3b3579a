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
}
SEEDED_SETTING_KEYS = (
    "sms_template",
    "sms_enabled",
    "sms_skip_silent",
    "auto_create_contacts",
    "save_memories",
)
_CACHE_KEY = "voqo:settings:v1"
_CACHE_SECONDS = 30


class UUIDModel(models.Model):
    """UUID primary keys, as the seed data model has on every table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Setting(UUIDModel):
    key = models.CharField(max_length=100, unique=True)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "settings"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(_CACHE_KEY)

    @classmethod
    def all_values(cls) -> dict[str, Any]:
        """Every setting with defaults filled in; cached briefly because hot paths read it."""
        values = cache.get(_CACHE_KEY)
        if values is None:
            values = dict(DEFAULT_SETTINGS)
            values.update(dict(cls.objects.values_list("key", "value")))
            cache.set(_CACHE_KEY, values, _CACHE_SECONDS)
        return values

    @classmethod
    def get_value(cls, key: str) -> Any:
        return cls.all_values().get(key, DEFAULT_SETTINGS.get(key))

    @classmethod
    def set_value(cls, key: str, value: Any) -> None:
        cls.objects.update_or_create(key=key, defaults={"value": value})
        cache.delete(_CACHE_KEY)


def agency_zone(values: dict[str, Any] | None = None) -> ZoneInfo:
    """The agency's time zone from Settings (`values`: Setting.all_values() already read).

    The one zone reader: a name ZoneInfo does not know falls back to settings.TIME_ZONE.
    """
    name = (values if values is not None else Setting.all_values()).get("time_zone")
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, TypeError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)
