"""Receiving post-call webhooks: store each event once, then drain and sweep the stored rows.

The stored row is the outbox: a drain task processes every unprocessed row, and the
periodic sweep catches anything a lost task left behind. Processing one row means claiming
it, parsing it once into a `PostCallEvent`, and handing that to `calls.applying`.

Every function here can run twice (duplicate webhooks, task retries, concurrent workers)
and leave the world as if it ran once: unique keys and conditional UPDATEs are the guards,
never a SELECT followed by an INSERT.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.conf import Conf

from calls import applying, queue
from calls.models import Call, WebhookEvent
from voqo.bulk import AsStored, insert_rows
from voqo.providers.elevenlabs_webhooks import POST_CALL_AUDIO, parse_event

logger = logging.getLogger(__name__)

# A claimed event whose worker died is claimable again after the task timeout has passed.
CLAIM_EXPIRY = timedelta(seconds=settings.Q_CLUSTER.get("timeout", 120) + 10)
WAITING_FOR_CALL = "Waiting for the call's transcription event."


def store_webhook_event(
    *, event_type: str, conversation_id: str, payload: dict, raw_body: bytes | None = None
) -> bool:
    """Store a verified event and make sure a worker will process it; False for a duplicate.

    One INSERT … ON CONFLICT DO NOTHING on the unique (type, conversation id) key: a
    duplicate delivery changes nothing. The request does not pay for a queue insert of its
    own: the drain it requests processes every unprocessed row.
    """
    # The verified body is stored as received: it is the JSON of `payload` already, and
    # encoding 15 KB again would cost more than the rest of the insert.
    stored_payload = AsStored(raw_body.decode()) if raw_body is not None else payload
    stored = insert_rows(
        WebhookEvent,
        [{"event_type": event_type, "conversation_id": conversation_id, "payload": stored_payload}],
        ignore_conflicts=True,
    )
    if stored:
        request_event_processing()
    return bool(stored)


# A burst of webhooks queues one drain task per web process per DRAIN_KICK_SECONDS; a drain
# keeps looking until no event has arrived for DRAIN_IDLE_SECONDS (longer than the kick
# window), so an event stored while the kick was suppressed is never left waiting.
DRAIN_KICK_SECONDS = 1
DRAIN_IDLE_SECONDS = 2.5
DRAIN_MAX_SECONDS = 60
_DRAIN_KICK_KEY = "calls:drain-webhook-events"


def request_event_processing() -> None:
    """Queue a drain of stored webhook events, at most once per DRAIN_KICK_SECONDS."""
    if Conf.SYNC or cache.add(_DRAIN_KICK_KEY, True, DRAIN_KICK_SECONDS):
        queue.queue_drain()


def drain_webhook_events(*, idle_seconds: float = DRAIN_IDLE_SECONDS) -> int:
    """Process stored events until none has arrived for `idle_seconds`; return how many.

    Each event is tried once per drain (a failing one waits for the periodic sweep), and a
    drain hands over to a fresh task after DRAIN_MAX_SECONDS so it never hits the timeout.
    """
    started = last_work = time.monotonic()
    tried: set[int] = set()
    while time.monotonic() - started < DRAIN_MAX_SECONDS:
        pending = [
            pk
            for pk in WebhookEvent.objects.filter(processed_at__isnull=True, claimed_at=None)
            .order_by("received_at")
            .values_list("pk", flat=True)[:200]
            if pk not in tried
        ]
        if not pending:
            if time.monotonic() - last_work >= idle_seconds:
                return len(tried)
            time.sleep(0.1)
            continue
        for event_id in pending:
            tried.add(event_id)
            try:
                process_webhook_event(event_id)
            except Exception:  # recorded on the event; the sweep retries it
                logger.exception("processing webhook event %s failed", event_id)
        last_work = time.monotonic()
    cache.delete(_DRAIN_KICK_KEY)
    request_event_processing()
    return len(tried)


def sweep_unprocessed_events() -> int:
    """Process events no worker finished (a lost task, a crash); return how many were tried."""
    events = unprocessed_event_ids()
    for event_id in events:
        try:
            process_webhook_event(event_id)
        except Exception:  # recorded on the event; the next sweep tries again
            logger.exception("processing webhook event %s failed", event_id)
    return len(events)


def unprocessed_event_ids(older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Stored events no worker has finished (a lost task, a crash), oldest first."""
    cutoff = timezone.now() - older_than
    return list(
        WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )


def process_webhook_event(event_id: int) -> Call | None:
    """Claim a stored event and apply it; a no-op when it is processed or claimed elsewhere."""
    now = timezone.now()
    claimed = (
        WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_EXPIRY))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    stored = WebhookEvent.objects.get(pk=event_id)
    event = parse_event(stored.payload)
    try:
        with transaction.atomic():
            call = applying.apply_event(event)
            if call is None and event.event_type in applying.HANDLED_EVENT_TYPES:
                # Audio before its transcription: wait; processing the call picks it up.
                WebhookEvent.objects.filter(pk=event_id).update(
                    claimed_at=None, last_error=WAITING_FOR_CALL
                )
            else:
                WebhookEvent.objects.filter(pk=event_id).update(
                    processed_at=timezone.now(), last_error=""
                )
                if event.event_type == POST_CALL_AUDIO:
                    _drop_stored_audio(stored)
    except Exception as error:
        WebhookEvent.objects.filter(pk=event_id).update(claimed_at=None, last_error=repr(error))
        raise
    return call


def _drop_stored_audio(stored: WebhookEvent) -> None:
    """The base64 audio is now a file; keep the stored event small."""
    data = stored.payload.get("data")
    if isinstance(data, dict) and data.get("full_audio"):
        data["full_audio"] = ""
        WebhookEvent.objects.filter(pk=stored.pk).update(payload=stored.payload)
