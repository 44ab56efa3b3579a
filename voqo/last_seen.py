"""When each provider webhook last reached Voqo, or was refused, for the Connections page
and the getting-started checklist.

The webhook views call `note_webhook(kind, request)` once a request is authenticated and
handled, and `note_refused_webhook(kind, request, reason)` when they refuse one. A process
writes each fact's Setting row at most once a minute and otherwise only compares two
floats, so the benchmarked webhook paths pay nothing measurable; times are exact to the
minute. The rows are written without `Setting.save()`, so the settings cache the hot paths
read stays warm.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
REFUSED_PREFIX = "last_refused:"

# Setting key -> time.monotonic() before which this process does not write it again.
_next_write_at: dict[str, float] = {}


@dataclass(frozen=True)
class Sighting:
    """A webhook of one kind that reached Voqo, and the provider mode Voqo ran in then."""

    at: datetime
    provider: str  # "live" or "sandbox" (the sandbox posts Voqo's own webhooks)


@dataclass(frozen=True)
class Refusal:
    """A webhook of one kind that Voqo refused, and why."""

    at: datetime
    reason: str


@dataclass(frozen=True)
class WebhookHistory:
    seen: Sighting | None
    refused: Refusal | None

    @property
    def refused_since_seen(self) -> bool:
        """The latest news is a refusal: worth showing, it points at a wrong secret or URL."""
        return self.refused is not None and (self.seen is None or self.refused.at > self.seen.at)


def note_webhook(kind: str, request: HttpRequest) -> None:
    """Remember that an authenticated `kind` webhook arrived now (at most once a minute)."""
    key = SETTING_PREFIX + kind
    if _due(key, request):
        _write(key, {"at": timezone.now().isoformat(), "provider": settings.VOQO_PROVIDER})


def note_refused_webhook(kind: str, request: HttpRequest, reason: str) -> None:
    """Remember that a `kind` webhook was refused now, and why (at most once a minute)."""
    key = REFUSED_PREFIX + kind
    if _due(key, request):
        _write(key, {"at": timezone.now().isoformat(), "reason": reason})


def _due(key: str, request: HttpRequest) -> bool:
    """Whether this process writes `key` now; the value is built only then (every ring
    calls this)."""
    now = time.monotonic()
    if now < _next_write_at.get(key, 0.0) or _SELF_TEST_META in request.META:
        return False
    _next_write_at[key] = now + WRITE_INTERVAL
    return True


def _write(key: str, value: dict[str, Any]) -> None:
    # Install-wide facts (agency NULL): the install's provider accounts send these webhooks.
    install_wide = Setting.objects.filter(agency__isnull=True, key=key)
    if not install_wide.update(value=value, updated_at=timezone.now()):
        Setting.objects.bulk_create([Setting(key=key, value=value)], ignore_conflicts=True)


def webhook_history() -> dict[str, WebhookHistory]:
    """The last arrival and the last refusal of every webhook kind, in one query."""
    keys = [prefix + kind for kind in WEBHOOK_KINDS for prefix in (SETTING_PREFIX, REFUSED_PREFIX)]
    stored = dict(
        Setting.objects.filter(agency__isnull=True, key__in=keys).values_list("key", "value")
    )
    history = {}
    for kind in WEBHOOK_KINDS:
        seen = stored.get(SETTING_PREFIX + kind)
        refused = stored.get(REFUSED_PREFIX + kind)
        history[kind] = WebhookHistory(
            seen=_parse(Sighting, seen, "provider"), refused=_parse(Refusal, refused, "reason")
        )
    return history


def _parse(kind: type, stored: Any, field: str) -> Any:
    try:
        return kind(datetime.fromisoformat(stored["at"]), str(stored[field]))
    except (TypeError, KeyError, ValueError):
        return None
