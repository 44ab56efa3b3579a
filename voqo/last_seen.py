"""When each provider webhook last reached Voqo, for the Connections page and the checklist.

The webhook views call `note_webhook(kind, request)` once the request is authenticated and
handled. A process writes a kind's Setting row at most once a minute and otherwise only
compares two floats, so the benchmarked webhook paths pay nothing measurable; the time shown
is exact to the minute. The rows are written without `Setting.save()`, so the settings cache
the hot paths read stays warm.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from voqo.models import Setting

WEBHOOK_KINDS: dict[str, str] = {
    "post_call": "ElevenLabs post-call webhook",
    "initiation": "ElevenLabs conversation initiation webhook",
    "twilio_sms": "Twilio inbound SMS webhook",
    "twilio_sms_status": "Twilio SMS status callback",
}
# Voqo's own "Send a test webhook" requests carry this header: they prove Voqo answers, not
# that the provider was configured, so they are never counted as the provider's.
SELF_TEST_HEADER = "X-Voqo-Connection-Test"
_SELF_TEST_META = "HTTP_X_VOQO_CONNECTION_TEST"
WRITE_INTERVAL = 60.0  # seconds
SETTING_PREFIX = "last_seen:"

# kind -> time.monotonic() before which this process does not write that kind again.
_next_write_at: dict[str, float] = {}


@dataclass(frozen=True)
class Sighting:
    """A webhook of one kind that reached Voqo, and the provider mode Voqo ran in then."""

    at: datetime
    provider: str  # "live" or "sandbox" (the sandbox posts Voqo's own webhooks)


def note_webhook(kind: str, request: HttpRequest) -> None:
    """Remember that an authenticated `kind` webhook arrived now (at most once a minute)."""
    now = time.monotonic()
    if now < _next_write_at.get(kind, 0.0) or _SELF_TEST_META in request.META:
        return
    _next_write_at[kind] = now + WRITE_INTERVAL
    key = SETTING_PREFIX + kind
    value = {"at": timezone.now().isoformat(), "provider": settings.VOQO_PROVIDER}
    if not Setting.objects.filter(key=key).update(value=value, updated_at=timezone.now()):
        Setting.objects.bulk_create([Setting(key=key, value=value)], ignore_conflicts=True)


def webhook_sightings() -> dict[str, Sighting | None]:
    """The last sighting of every webhook kind (None: never), in one query."""
    keys = [SETTING_PREFIX + kind for kind in WEBHOOK_KINDS]
    stored_values = dict(Setting.objects.filter(key__in=keys).values_list("key", "value"))
    sightings: dict[str, Sighting | None] = {}
    for kind in WEBHOOK_KINDS:
        stored = stored_values.get(SETTING_PREFIX + kind)
        try:
            sightings[kind] = Sighting(
                at=datetime.fromisoformat(stored["at"]), provider=str(stored["provider"])
            )
        except (TypeError, KeyError, ValueError):
            sightings[kind] = None
    return sightings
