"""Single calls whose result never arrived: fetched from the provider, or closed with why.

A post-call webhook can be lost (a wrong PUBLIC_BASE_URL, an outage, a sandbox delivery that
failed). After `CALL_RESULT_TIMEOUT_MINUTES` an outbound call still `initiated` is looked up
with the provider's conversation API and handed to the calls pipeline (calls.applying), so
the SMS, memories and `call_finished` follow exactly as for a webhook; when the provider has
no result, the call is marked failed with the reason. Campaign calls are left to the
campaign dialler, which reconciles its own rows (and sends unknown ones to review).

A call the provider says never existed is failed; one whose result nobody can tell after
GIVE_UP_AFTER (no conversation id, a conversation still "in progress", a provider that
cannot be asked) is marked `unknown` with the reason: no call stays `initiated` forever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calls import applying
from calls.models import Call
from calls.signals import call_finished
from voqo.providers import PostCallEvent, ProviderError, ProviderNotFound, get_provider

logger = logging.getLogger(__name__)

# A conversation the provider still calls "in progress" (or a provider that cannot be asked)
# is given this long in total before the call is closed.
GIVE_UP_AFTER = timedelta(hours=2)
FETCHED_NOTE = "The result never arrived by webhook; Voqo fetched it from the provider."
CLOSED_NOTE = "The result never arrived; Voqo closed the call after waiting for it."
BATCH_SIZE = 200


def result_timeout() -> timedelta:
    return timedelta(minutes=settings.CALL_RESULT_TIMEOUT_MINUTES)


def calls_waiting_too_long(now: datetime | None = None):
    """Single outbound calls still `initiated` after the result timeout, oldest first."""
    now = now or timezone.now()
    return (
        Call.objects.filter(
            status=Call.Status.INITIATED,
            direction=Call.Direction.OUTBOUND,
            created_at__lt=now - result_timeout(),
        )
        # Campaign rows are reconciled by the dialler, which knows about retries and review.
        .filter(job_calls__isnull=True)
        .order_by("created_at")
    )


def reconcile_waiting_calls(now: datetime | None = None) -> int:
    """Reconcile every call waiting too long for its result; return how many were settled."""
    now = now or timezone.now()
    settled = 0
    for call in calls_waiting_too_long(now)[:BATCH_SIZE]:
        try:
            if reconcile_call(call, now=now):
                settled += 1
        except Exception:  # one bad call must not stop the others; the next sweep retries
            logger.exception("reconciling call %s failed", call.pk)
    return settled


def reconcile_call(call: Call, *, now: datetime) -> bool:
    """Settle one call from the provider's conversation; True when it left `initiated`."""
    conversation_id = call.elevenlabs_conversation_id
    giving_up = call.created_at < now - GIVE_UP_AFTER
    if not conversation_id:
        # The dial never returned an id (a crash, a timeout): nothing can be looked up.
        reason = "Voqo never learned whether the provider placed this call, so no result exists."
        if call.failure_reason:
            reason = f"{reason} ({call.failure_reason})"
        return _close(call, reason)
    try:
        conversation = get_provider(call.agency).get_conversation(conversation_id)
    except ProviderNotFound:
        return _close(
            call,
            "The provider has no such conversation, so no result exists.",
            status=Call.Status.FAILED,
        )
    except ProviderError as error:
        logger.warning("reconciling call %s: %r", call.pk, error)
        if not giving_up:
            return False  # try again at the next sweep
        return _close(call, f"The provider could not be asked for the result: {error}")
    if conversation.is_over:
        with transaction.atomic():
            applying.apply_event(conversation, agency=call.agency)
            _add_note(call, FETCHED_NOTE)
        return _left_initiated(call)
    if conversation.in_progress and not giving_up:
        return False  # still talking, or the provider is still analysing it
    minutes = int((now - call.created_at).total_seconds() // 60)
    return _close(call, f"No result from the provider after {minutes} minutes.")


def _close(call: Call, reason: str, *, status: str = Call.Status.UNKNOWN) -> bool:
    """Mark the call `status` (unknown unless the provider said otherwise) with `reason`;
    `call_finished` is sent as for any outcome."""
    with transaction.atomic():
        if call.elevenlabs_conversation_id:
            applying.record_call_without_result(
                PostCallEvent(event_type="", conversation_id=call.elevenlabs_conversation_id),
                reason=reason,
                status=status,
            )
        else:
            _close_without_conversation(call, reason)
        _add_note(call, CLOSED_NOTE)
    return _left_initiated(call)


def _close_without_conversation(call: Call, reason: str) -> None:
    closed = Call.objects.filter(pk=call.pk, status=Call.Status.INITIATED).update(
        status=Call.Status.UNKNOWN,
        failure_reason=reason,
        sms_status=Call.SmsStatus.SKIPPED,
        sms_error="The call never connected.",
    )
    if closed:
        transaction.on_commit(
            lambda: call_finished.send(sender=Call, call=Call.objects.get(pk=call.pk))
        )


def note_undelivered_result(*, conversation_id: str, problem: str) -> bool:
    """Record on the call that its result webhook could not be delivered (shown on the call
    page until reconciliation fetches the result); False when no call has this id yet."""
    call = Call.objects.filter(elevenlabs_conversation_id=conversation_id).first()
    if call is None:
        return False
    _add_note(call, problem)
    return True


def _add_note(call: Call, note: str) -> None:
    current = Call.objects.filter(pk=call.pk).values_list("result_note", flat=True).first() or ""
    if note not in current:
        Call.objects.filter(pk=call.pk).update(result_note=f"{current} {note}".strip())


def _left_initiated(call: Call) -> bool:
    return not Call.objects.filter(pk=call.pk, status=Call.Status.INITIATED).exists()
