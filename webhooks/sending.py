"""From a domain event to signed HTTP deliveries: store the event and one delivery per
endpoint that wants it (after the announcer's commit), then send each from the worker
through the custom functions' SSRF-guarded egress, retrying with backoff for about three
days. At least once and not ordered: a receiver dedupes by the event id."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from functions.egress import EgressError, OutgoingRequest, send_request
from voqo.bulk import insert_rows
from voqo.db import WrittenOnce
from voqo.events import record_audit
from webhooks import queue
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event
from webhooks.signals import delivery_finished

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Voqo-Signature"
USER_AGENT = "Voqo-Webhooks/1"
EXCERPT_CHARS = 2000
# A claimed delivery is not picked up by the sweep for this long (one attempt's timeout and
# then some), so a delivery is attempted by one worker at a time.
CLAIM_LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
SWEEP_BATCH = 200


def retry_period() -> timedelta:
    return timedelta(days=settings.WEBHOOK_RETRY_DAYS)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Voqo-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>` of "<t>.<body>"."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 30 s, 2 min, 8 min, … capped at 6 hours."""
    return min(FIRST_RETRY * (4 ** max(attempts - 1, 0)), LONGEST_WAIT)


# -- from the domain event to stored deliveries ------------------------------------------


def on_domain_event(sender, agency, event_type: str, data: dict, agent_id=None, **kwargs):
    """`voqo.events.domain_event` receiver: record the event once the announcer commits."""
    if agency is None:
        return
    transaction.on_commit(
        lambda: record_event(agency=agency, event_type=event_type, data=data, agent_id=agent_id)
    )


def record_event(*, agency, event_type: str, data: dict, agent_id=None) -> Event | None:
    """Store the event and a delivery for each endpoint that wants it, and queue them; None
    (nothing stored) when no endpoint does."""
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(agency=agency, active=True)
        if endpoint.wants(event_type, agent_id)
    ]
    if not endpoints:
        return None
    return _store(
        agency=agency, event_type=event_type, data=data, agent_id=agent_id, endpoints=endpoints
    )


def _store(*, agency, event_type, data, agent_id, endpoints) -> Event:
    with transaction.atomic():
        event = Event.objects.create(
            agency=agency, event_type=event_type, data=data, agent_id=agent_id
        )
        now = timezone.now()
        for endpoint in endpoints:
            delivery = Delivery.objects.create(
                agency=agency, endpoint=endpoint, event=event, next_attempt_at=now
            )
            queue.queue_delivery(delivery.pk)
    return event


def send_test_event(*, endpoint: Endpoint) -> Event:
    """A `test.ping` to this endpoint alone, whatever event types it subscribes to."""
    data = {"message": "A test event from Voqo.", "endpoint_id": str(endpoint.pk)}
    return _store(
        agency=endpoint.agency,
        event_type="test.ping",
        data=data,
        agent_id=None,
        endpoints=[endpoint],
    )


def resend(*, delivery: Delivery) -> None:
    """Send the delivery again now (same event id), whatever became of it before."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    queue.queue_delivery(delivery.pk)


# -- sending -------------------------------------------------------------------------------


def deliver_due(now=None) -> int:
    """Attempt every delivery whose wait is over (the worker's minute sweep); how many."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(1 for delivery_id in due if attempt_delivery(delivery_id))


# The claim and the success are written once as SQL: every delivery runs both, and building
# their ORM queries cost more than running them (a worker's deliveries per second).
_CLAIM = WrittenOnce(
    Delivery,
    "UPDATE {table} SET {next_attempt_at} = %(lease_ends)s WHERE {id} = %(id)s "
    "AND {status} = %(pending)s AND ({next_attempt_at} IS NULL OR {next_attempt_at} <= %(now)s)",
    fields={"id": "id", "lease_ends": "next_attempt_at", "now": "next_attempt_at"},
)
_SUCCEEDED = WrittenOnce(
    Delivery,
    "UPDATE {table} SET {status} = %(succeeded)s, {attempts} = %(attempts)s, "
    "{last_attempt_at} = %(now)s, {last_status_code} = %(status_code)s, {last_error} = '', "
    "{delivered_at} = %(now)s, {next_attempt_at} = NULL WHERE {id} = %(id)s",
    fields={"id": "id", "now": "delivered_at"},
)


def _claim(delivery_id, now) -> bool:
    """Conditional UPDATE: this worker, and no other, attempts the delivery now."""
    params = {
        "id": delivery_id,
        "pending": Delivery.Status.PENDING.value,
        "now": now,
        "lease_ends": now + CLAIM_LEASE,
    }
    return bool(_CLAIM.execute(params))


def attempt_delivery(delivery_id) -> bool:
    """Send one due delivery and record the attempt; False if it was not due (or gone)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return False
    # Not the agency: only the rare disabling of a failing endpoint needs it (read then).
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.active:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED,
            next_attempt_at=None,
            last_error="Not sent: the endpoint is disabled.",
        )
        return True
    body = json.dumps(event.body(), separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Voqo-Event-Id": event.public_id,
        SIGNATURE_HEADER: sign(str(endpoint.secret), int(time.time()), body),
    }
    started = time.monotonic()
    status_code, excerpt, error = None, "", ""
    try:
        response = send_request(
            OutgoingRequest(
                method="POST",
                url=endpoint.url,
                headers=headers,
                body=body,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            )
        )
        status_code = response.status
        excerpt = response.body[:EXCERPT_CHARS].decode("utf-8", errors="replace")
        if not 200 <= status_code < 300:
            error = f"The endpoint answered HTTP {status_code}."
    except EgressError as failure:
        error = str(failure)
    duration_ms = round((time.monotonic() - started) * 1000)
    insert_rows(  # one prepared INSERT, no model instance: the log is only read in pages
        DeliveryAttempt,
        [
            {
                "delivery_id": delivery.pk,
                "attempted_at": now,
                "request_headers": headers,
                "request_body": body.decode(),
                "response_status": status_code,
                "response_excerpt": excerpt,
                "duration_ms": duration_ms,
                "error": error,
            }
        ],
    )
    if error:
        _failed(delivery, endpoint, error=error, status_code=status_code, now=timezone.now())
    else:
        _succeeded(delivery, endpoint, status_code=status_code, now=timezone.now())
    delivery_finished.send(
        sender=Delivery,
        agency_id=endpoint.agency_id,
        event_type=event.event_type,
        data=event.data,
        endpoint_id=endpoint.pk,
        status_code=status_code,
        delivered=not error,
    )
    return True


def _succeeded(delivery: Delivery, endpoint: Endpoint, *, status_code: int, now) -> None:
    params = {
        "id": delivery.pk,
        "succeeded": Delivery.Status.SUCCEEDED.value,
        "attempts": delivery.attempts + 1,
        "now": now,
        "status_code": status_code,
    }
    _SUCCEEDED.execute(params)
    if endpoint.failing_since is not None:  # as read with the delivery: most are not failing
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
            failing_since=None
        )


def _failed(delivery: Delivery, endpoint: Endpoint, *, error: str, status_code, now) -> None:
    attempts = delivery.attempts + 1
    gives_up = now - delivery.created_at >= retry_period()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED if gives_up else Delivery.Status.PENDING,
        attempts=attempts,
        last_attempt_at=now,
        last_status_code=status_code,
        last_error=error,
        next_attempt_at=None if gives_up else now + backoff(attempts),
    )
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    endpoint.refresh_from_db(fields=["failing_since", "active"])
    if endpoint.active and endpoint.failing_since <= now - retry_period():
        disable_failing_endpoint(endpoint, last_error=error, now=now)


def disable_failing_endpoint(endpoint: Endpoint, *, last_error: str, now) -> None:
    """Stop sending to an endpoint that failed every delivery for the retry period; its
    owners see why on its page."""
    days = settings.WEBHOOK_RETRY_DAYS
    reason = (
        f"Voqo disabled this endpoint on {timezone.localtime(now):%-d %b %Y at %-I:%M %p} "
        f"because every delivery failed for {days} days. Last error: {last_error} "
        "Fix the receiver, then enable the endpoint again."
    )
    disabled = Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_reason=reason
    )
    if not disabled:
        return
    Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED,
        next_attempt_at=None,
        last_error="Not sent: the endpoint was disabled after failing for days.",
    )
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, last_error)
    record_audit(
        endpoint.agency,
        None,
        "webhook_endpoint.disabled",
        f"Webhook endpoint {endpoint.url} disabled after {days} days of failed deliveries",
        detail={"last_error": last_error},
        target=f"webhook_endpoint:{endpoint.pk}",
    )
