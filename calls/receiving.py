"""Receiving post-call webhooks: store each event once, then drain and sweep the stored rows.

The stored row is the outbox: a drain processes every due row, and the periodic sweep
runs the same drain, so nothing a lost task left behind waits long. Processing one row
means claiming it, parsing it once into a `PostCallEvent`, and handing that to
`calls.applying`.

Poison never blocks the line: a row that fails (or waits for a call that never comes) is
retried with backoff a bounded number of times, then parked with its reason for staff to
see and retry; fresh rows are always taken before retries.

Every function here can run twice (duplicate webhooks, task retries, concurrent workers)
and leave the world as if it ran once: unique keys and conditional UPDATEs are the guards,
never a SELECT followed by an INSERT.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency
from calls import applying, queue
from calls.models import Call, EventDrain, WebhookEvent
from calls.ownership import install_agency
from voqo.bulk import AsStored, insert_new_rows, insert_rows
from voqo.db import WrittenOnce
from voqo.group_commit import GroupWriter
from voqo.providers import PostCallEvent
from voqo.providers.elevenlabs_webhooks import POST_CALL_AUDIO, parse_event

logger = logging.getLogger(__name__)

# A claimed event (or a running drain) whose worker died is free again after the task
# timeout has passed.
CLAIM_EXPIRY = timedelta(seconds=settings.Q_CLUSTER.get("timeout", 120) + 10)
# A drain queued this long ago and never started was lost with its queue row.
DRAIN_QUEUE_EXPIRY = timedelta(minutes=5)
# A drain hands over to a fresh task after this long, so it never hits the task timeout.
DRAIN_MAX_SECONDS = 60
DRAIN_BATCH = 100

# After the first attempt fails: wait, try again; after the last, park the event.
EVENT_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
)
EVENT_MAX_ATTEMPTS = len(EVENT_RETRY_DELAYS) + 1
WAITING_FOR_CALL = "Waiting for the call's transcription event."
CALL_NEVER_CAME = "The call's transcription event never came, so this audio has no call."


def store_webhook_event(
    *,
    event_type: str,
    conversation_id: str,
    payload: dict,
    raw_body: bytes | str | None = None,
    agency: Agency | None = None,
) -> bool:
    """Store a verified event and make sure a drain will process it; False for a duplicate.

    One INSERT … ON CONFLICT DO NOTHING on the unique (type, conversation id) key: a
    duplicate delivery changes nothing. Events that arrive together in one process are
    written by one statement (voqo/group_commit.py); each request still answers for its
    own row, after that row is committed. `raw_body` is the JSON of `payload`, stored as
    received (encoding 15 KB again would cost more than the rest of the insert). `agency`:
    the event came to that agency's own URL, so it is applied within that agency only.
    """
    if isinstance(raw_body, bytes):
        raw_body = raw_body.decode()
    stored_payload = AsStored(raw_body) if raw_body is not None else payload
    row = {"event_type": event_type, "conversation_id": conversation_id, "payload": stored_payload}
    if agency is not None:
        row["agency_id"] = agency.pk
    if connection.in_atomic_block:
        # The caller's transaction may still roll back: only its own row may ride on it.
        return _store_events([row])[0]
    return _EVENT_WRITER.write(row)


def _store_events(rows: Sequence[dict]) -> list[bool]:
    """Insert received events in one statement; queue a drain once if any was new.

    The rows are committed before the drain is queued, so a queue that fails loses
    nothing: the periodic sweep drains them. The answer stays "received" (it is true), and
    ElevenLabs does not count a failure toward disabling the webhook.
    """
    stored = insert_new_rows(WebhookEvent, rows, key=("event_type", "conversation_id"))
    if any(stored):
        try:
            request_event_processing()
        except Exception:
            logger.exception(
                "Stored %d post-call event(s) but could not queue their drain; "
                "the periodic sweep will process them.",
                sum(stored),
            )
    return stored


def _stored_size(row: dict) -> int:
    payload = row["payload"]
    return len(payload.value) if isinstance(payload, AsStored) else 0


# Acknowledgements are ~15 KB; audio events can be tens of megabytes and go alone.
_EVENT_WRITER: GroupWriter[dict, bool] = GroupWriter(
    _store_events, size=_stored_size, max_size=1024 * 1024
)


# -- the drain: at most one queued or running across every process ----------------------


def request_event_processing() -> bool:
    """Queue a drain unless one is queued or running already; True if this queued it.

    A request that finds a drain running queues nothing: the stored row is there before
    the request, and the drain looks for due rows once more after it stops. One that finds
    a drain queued queues nothing either: that drain takes every row stored before it
    starts. Both are seen with a read, so a busy webhook writes only its own row; the
    conditional UPDATE below stays the guard against queueing two drains.
    """
    now = timezone.now()
    if _drain_busy(now):
        return False
    free = EventDrain.objects.filter(pk=EventDrain.ONLY).filter(
        Q(started_at__isnull=True) | Q(started_at__lt=now - CLAIM_EXPIRY),
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - DRAIN_QUEUE_EXPIRY),
    )
    queued = free.update(queued_at=now) or insert_rows(
        EventDrain, [{"id": EventDrain.ONLY, "queued_at": now}], ignore_conflicts=True
    )
    if queued:
        queue.queue_drain()
    return bool(queued)


# Written once: every post-call delivery asks, and building the ORM query for it cost more
# than running it.
_DRAIN_BUSY = WrittenOnce(
    EventDrain,
    "SELECT 1 FROM {table} WHERE {id} = %(only)s "
    "AND ({started_at} >= %(started)s OR {queued_at} >= %(queued)s)",
    fields={"started": "started_at", "queued": "queued_at"},
)


def _drain_busy(now: datetime) -> bool:
    """Whether a drain is running or queued (not expired): one read of the drain row."""
    params = {
        "only": EventDrain.ONLY,
        "started": now - CLAIM_EXPIRY,
        "queued": now - DRAIN_QUEUE_EXPIRY,
    }
    return _DRAIN_BUSY.execute(params) is not None


def drain_webhook_events() -> int:
    """Process every due event, then stop; return how many were tried.

    Returns at once when nothing is due, or when another drain is running (that one looks
    again before it stops). Hands over to a fresh task after DRAIN_MAX_SECONDS.
    """
    now = timezone.now()
    acquired = (
        EventDrain.objects.filter(pk=EventDrain.ONLY)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - CLAIM_EXPIRY))
        .update(queued_at=None, started_at=now)
    )
    if not acquired:
        EventDrain.objects.filter(pk=EventDrain.ONLY).update(queued_at=None)
        return 0
    tried = 0
    started = time.monotonic()
    try:
        while time.monotonic() - started < DRAIN_MAX_SECONDS:
            batch = due_event_ids(limit=DRAIN_BATCH)
            if not batch:
                break
            for event_id in batch:
                tried += 1
                _process_and_log(event_id)
    finally:
        EventDrain.objects.filter(pk=EventDrain.ONLY).update(started_at=None)
    # Events stored while this drain ran found it running and queued nothing.
    if due_event_ids(limit=1):
        request_event_processing()
    return tried


def sweep_unprocessed_events() -> int:
    """The periodic safety net: run the drain here (due retries, anything a lost task left)."""
    return drain_webhook_events()


def due_events(now: datetime | None = None) -> QuerySet[WebhookEvent]:
    """Open events whose (next) attempt is due and that no live worker holds."""
    now = now or timezone.now()
    return (
        WebhookEvent.objects.filter(processed_at__isnull=True, failed_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_EXPIRY))
    )


def due_event_ids(*, limit: int, now: datetime | None = None) -> list[int]:
    """Due events, fresh ones first: retries can never starve new calls."""
    return list(
        due_events(now).order_by("attempts", "received_at").values_list("pk", flat=True)[:limit]
    )


def _process_and_log(event_id: int) -> None:
    try:
        process_webhook_event(event_id)
    except Exception:  # recorded on the event, retried with backoff, then parked
        logger.warning("processing webhook event %s failed", event_id, exc_info=True)


# -- one event ---------------------------------------------------------------------------


def process_webhook_event(event_id: int) -> Call | None:
    """Claim a stored event and apply it; a no-op when it is processed, parked or held.

    A failure (or audio still waiting for its call) is recorded on the event with the next
    attempt's time; after EVENT_MAX_ATTEMPTS the event is parked with the reason.
    """
    now = timezone.now()
    claimed = (
        WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True, failed_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_EXPIRY))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    stored = WebhookEvent.objects.select_related("agency").get(pk=event_id)
    event = None
    try:
        event = parse_event(stored.payload)
        with transaction.atomic():
            # An event with an agency (its own URL's, or the one an earlier attempt found)
            # is applied within it: another agency's call, agent or contact is never touched.
            call = applying.apply_event(event, agency=stored.agency)
            if call is None and event.event_type in applying.HANDLED_EVENT_TYPES:
                # Audio before its transcription: processing the call wakes it up again.
                _defer(stored, WAITING_FOR_CALL, event=event, parked_reason=CALL_NEVER_CAME)
                return None
            WebhookEvent.objects.filter(pk=event_id).update(
                processed_at=timezone.now(),
                next_attempt_at=None,
                last_error="",
                agency=call.agency_id if call else applying.agency_for_event(event, stored.agency),
            )
            if event.event_type == POST_CALL_AUDIO:
                _drop_stored_audio(stored)
    except Exception as error:
        _defer(stored, f"{type(error).__name__}: {error}"[:2000], event=event)
        raise
    return call


def _defer(
    stored: WebhookEvent, reason: str, *, event: PostCallEvent | None, parked_reason: str = ""
) -> None:
    """Release the claim: try again after the next backoff delay, or park the event.

    The event's agency is recorded so the problem shows on that agency's page; an event too
    broken to parse belongs to the install's first agency.
    """
    now = timezone.now()
    if stored.attempts >= EVENT_MAX_ATTEMPTS:
        reason = parked_reason or reason
        logger.error(
            "webhook event %s parked after %s attempts: %s", stored.pk, stored.attempts, reason
        )
        fields = {"failed_at": now, "next_attempt_at": None}
    else:
        delay = EVENT_RETRY_DELAYS[max(stored.attempts, 1) - 1]
        fields = {"next_attempt_at": now + delay}
    if stored.agency_id is None:
        fields["agency"] = _agency_for_problem(event)
    WebhookEvent.objects.filter(pk=stored.pk).update(claimed_at=None, last_error=reason, **fields)


def _agency_for_problem(event: PostCallEvent | None) -> Agency:
    if event is not None:
        try:
            return applying.agency_for_event(event)
        except Exception:  # the failure being recorded may be the database's
            logger.warning("no agency for failing event %s", event.conversation_id)
    return install_agency()


def _drop_stored_audio(stored: WebhookEvent) -> None:
    """The base64 audio is now a file; keep the stored event small."""
    data = stored.payload.get("data") if isinstance(stored.payload, dict) else None
    if isinstance(data, dict) and data.get("full_audio"):
        data["full_audio"] = ""
        WebhookEvent.objects.filter(pk=stored.pk).update(payload=stored.payload)


# -- problems staff see -----------------------------------------------------------------


def problem_events(*, agency: Agency | None = None) -> QuerySet[WebhookEvent]:
    """Parked events and events failing right now (retries pending), of `agency` when given
    (every agency's for the install-wide admin)."""
    events = WebhookEvent.objects.filter(processed_at__isnull=True).filter(
        Q(failed_at__isnull=False) | Q(attempts__gt=0, next_attempt_at__isnull=False)
    )
    return events.filter(agency=agency) if agency is not None else events


def retry_event(event_id: int, *, agency: Agency | None = None) -> bool:
    """Give a parked or failing event a fresh set of attempts now; False if it needs none.

    With `agency`, only that agency's event is retried."""
    events = WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True)
    if agency is not None:
        events = events.filter(agency=agency)
    retried = events.update(failed_at=None, next_attempt_at=None, attempts=0, claimed_at=None)
    if retried:
        request_event_processing()
    return bool(retried)
