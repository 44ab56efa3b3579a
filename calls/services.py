"""What the calls domain does: record provider webhooks, process them, send the follow-up SMS.

Every function here can run twice (duplicate webhooks, task retries, concurrent workers)
and leave the world as if it ran once: unique keys and conditional UPDATEs are the guards,
never a SELECT followed by an INSERT.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent
from calls.models import Call, SmsMessage, WebhookEvent
from calls.signals import call_finished
from calls.sms import SmsTemplateError, first_name, render_sms_within_limit
from contacts.models import Contact, Memory
from voqo.bulk import AsStored, insert_rows
from voqo.models import DEFAULT_SETTINGS, Setting
from voqo.phones import format_phone, try_normalize_phone
from voqo.providers import ProviderError, ProviderNotFound, ProviderRetryableError, get_provider

logger = logging.getLogger(__name__)

POST_CALL_TRANSCRIPTION = "post_call_transcription"
POST_CALL_AUDIO = "post_call_audio"
CALL_INITIATION_FAILURE = "call_initiation_failure"
EVENT_TYPES = frozenset({POST_CALL_TRANSCRIPTION, POST_CALL_AUDIO, CALL_INITIATION_FAILURE})

UNKNOWN_CALLER = "Unknown caller"
# A claimed event whose worker died is claimable again after the task timeout has passed.
CLAIM_EXPIRY = timedelta(seconds=settings.Q_CLUSTER.get("timeout", 120) + 10)
WAITING_FOR_CALL = "Waiting for the call's transcription event."

# Twilio errors after which sending again can never work (providers.md).
SMS_OPTED_OUT_CODE = "21610"
SMS_PERMANENT_CODES = frozenset({SMS_OPTED_OUT_CODE, "21211", "21614"})
SMS_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
SMS_MAX_ATTEMPTS = len(SMS_RETRY_DELAYS) + 1

INITIATION_FAILURES = {
    "busy": (Call.Status.BUSY, "The line was busy."),
    "no-answer": (Call.Status.NO_ANSWER, "Nobody answered."),
    "no_answer": (Call.Status.NO_ANSWER, "Nobody answered."),
}
CALL_RESULT_STATUS = {
    "busy": Call.Status.BUSY,
    "no_answer": Call.Status.NO_ANSWER,
    "no-answer": Call.Status.NO_ANSWER,
    "voicemail": Call.Status.NO_ANSWER,
    "failed": Call.Status.FAILED,
}


# What processing a transcription writes; the SMS sender owns the other sms_* fields.
POST_CALL_FIELDS = [
    "agent",
    "agent_name",
    "contact",
    "status",
    "summary",
    "title",
    "outcome",
    "analysis",
    "transcript",
    "duration",
    "started_at",
    "ended_at",
    "failure_reason",
    "dynamic_variables",
    "sms_status",
    "sms_error",
]


# -- receiving ------------------------------------------------------------------------


def store_webhook_event(
    *, event_type: str, conversation_id: str, payload: dict, raw_body: bytes | None = None
) -> bool:
    """Store a verified event and make sure a worker will process it; False for a duplicate.

    One INSERT … ON CONFLICT DO NOTHING on the unique (type, conversation id) key: a
    duplicate delivery changes nothing. The stored row is the outbox — a drain task
    processes every unprocessed row, and the periodic sweep catches anything a lost task
    left behind — so the request does not pay for a queue insert of its own.
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
    from django.core.cache import cache
    from django_q.conf import Conf
    from django_q.tasks import async_task

    if Conf.SYNC or cache.add(_DRAIN_KICK_KEY, True, DRAIN_KICK_SECONDS):
        async_task("calls.tasks.drain_webhook_events", task_name="drain webhook events")


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
    from django.core.cache import cache

    cache.delete(_DRAIN_KICK_KEY)
    request_event_processing()
    return len(tried)


def sweep_post_call_work() -> tuple[int, int]:
    """Process events no worker finished and send SMS whose retry is due: (events, sms)."""
    events = unprocessed_event_ids()
    for event_id in events:
        try:
            process_webhook_event(event_id)
        except Exception:  # recorded on the event; the next sweep tries again
            logger.exception("processing webhook event %s failed", event_id)
    calls = due_sms_call_ids()
    for call_id in calls:
        send_post_call_sms(call_id)
    return len(events), len(calls)


# -- processing -----------------------------------------------------------------------


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
    event = WebhookEvent.objects.get(pk=event_id)
    handler = {
        POST_CALL_TRANSCRIPTION: record_post_call,
        CALL_INITIATION_FAILURE: record_call_initiation_failure,
        POST_CALL_AUDIO: record_post_call_audio,
    }.get(event.event_type)
    try:
        with transaction.atomic():
            call = handler(event) if handler else None
            if handler is not None and call is None:
                # Audio before its transcription: wait; processing the call picks it up.
                WebhookEvent.objects.filter(pk=event_id).update(
                    claimed_at=None, last_error=WAITING_FOR_CALL
                )
            else:
                WebhookEvent.objects.filter(pk=event_id).update(
                    processed_at=timezone.now(), last_error=""
                )
    except Exception as error:
        WebhookEvent.objects.filter(pk=event_id).update(claimed_at=None, last_error=repr(error))
        raise
    return call


def record_post_call(event: WebhookEvent) -> Call:
    """Turn a post_call_transcription event into the call record, contact and memories.

    Updates the outbound call Voqo placed (same conversation id) or creates the inbound one;
    decides the follow-up SMS, and after commit queues it and sends `call_finished`.
    """
    data = event.payload.get("data") or {}
    metadata = _dict(data.get("metadata"))
    phone_call = _dict(metadata.get("phone_call"))
    analysis = _dict(data.get("analysis"))
    collected = _dict(analysis.get("data_collection_results"))
    values = Setting.all_values()

    call = _call_for_event(event, data, phone_call)
    if call.agent_id is None and (agent := _agent_for(data)):
        call.agent, call.agent_name = agent, agent.name
    call.status = _status_for(data, phone_call)
    call.summary = str(analysis.get("transcript_summary") or "")
    call.title = str(analysis.get("call_summary_title") or "")[:200]
    call.outcome = str(analysis.get("call_successful") or "")[:32]
    call.analysis = analysis
    transcript = data.get("transcript")
    call.transcript = transcript if isinstance(transcript, list) else []
    duration = _int(metadata.get("call_duration_secs"))
    call.duration = duration
    started = _int(metadata.get("start_time_unix_secs"))
    if started is not None:
        call.started_at = datetime.fromtimestamp(started, tz=UTC)
        if duration is not None:
            call.ended_at = call.started_at + timedelta(seconds=duration)
    if call.status == Call.Status.FAILED and not call.failure_reason:
        call.failure_reason = str(metadata.get("termination_reason") or "")
    if not call.dynamic_variables:
        client_data = _dict(data.get("conversation_initiation_client_data"))
        call.dynamic_variables = _dict(client_data.get("dynamic_variables"))

    caller_name = _collected(collected, "caller_name")
    contact = call.contact or _match_contact(
        call.external_phone, caller_name, create=values["auto_create_contacts"]
    )
    if contact is not None:
        call.contact = contact
        if caller_name and contact.name == UNKNOWN_CALLER:
            contact.name = caller_name[:200]
            contact.save(update_fields=["name", "updated_at"])
        moment = call.ended_at or timezone.now()
        Contact.objects.filter(pk=contact.pk).filter(
            Q(last_call_at__isnull=True) | Q(last_call_at__lt=moment)
        ).update(last_call_at=moment)
        if values["save_memories"]:
            _save_memories(contact, call, _collected(collected, "caller_memories"))

    if call.sms_status == Call.SmsStatus.NONE:
        reason = sms_skip_reason(call, values)
        call.sms_status = Call.SmsStatus.SKIPPED if reason else Call.SmsStatus.PENDING
        call.sms_error = reason
    call.save(update_fields=POST_CALL_FIELDS)

    call_id, conversation_id = call.pk, call.elevenlabs_conversation_id
    if call.sms_status == Call.SmsStatus.PENDING:
        from calls.tasks import enqueue

        enqueue("calls.tasks.send_post_call_sms", str(call_id))
    transaction.on_commit(lambda: _after_call_final(call_id, conversation_id))
    return call


def record_call_initiation_failure(event: WebhookEvent) -> Call:
    """Mark the outbound call that never connected as busy, no-answer or failed."""
    data = event.payload.get("data") or {}
    reason = str(data.get("failure_reason") or "unknown")
    status, text = INITIATION_FAILURES.get(
        reason, (Call.Status.FAILED, f"The call could not be started ({reason}).")
    )
    twilio_body = _dict(_dict(data.get("metadata")).get("body"))
    if sip := twilio_body.get("SipResponseCode"):
        text = f"{text} (SIP {sip})"
    phone_call = {
        "direction": "outbound",
        "external_number": twilio_body.get("To") or "",
        "agent_number": twilio_body.get("From") or "",
    }
    call = _call_for_event(event, data, phone_call)
    if call.agent_id is None and (agent := _agent_for(data)):
        call.agent, call.agent_name = agent, agent.name
    # A processed transcription already says what happened; never downgrade it.
    if call.status in (Call.Status.INITIATED, Call.Status.FAILED):
        call.status = status
        call.failure_reason = text
    if call.sms_status == Call.SmsStatus.NONE:
        call.sms_status, call.sms_error = Call.SmsStatus.SKIPPED, "The call never connected."
    call.save(
        update_fields=["agent", "agent_name", "status", "failure_reason", "sms_status", "sms_error"]
    )
    call_id, conversation_id = call.pk, call.elevenlabs_conversation_id
    transaction.on_commit(lambda: _after_call_final(call_id, conversation_id))
    return call


def record_post_call_audio(event: WebhookEvent) -> Call | None:
    """Store the recording of a post_call_audio event; None while its call is unknown."""
    call = Call.objects.filter(elevenlabs_conversation_id=event.conversation_id).first()
    if call is None:
        return None
    data = event.payload.get("data") or {}
    if not call.recording_file:
        try:
            audio = base64.b64decode(str(data.get("full_audio") or ""), validate=True)
        except (binascii.Error, ValueError):
            audio = b""
        if audio:
            store_recording(call, audio)
    # The base64 audio is now a file; keep the stored event small.
    if data.get("full_audio"):
        data["full_audio"] = ""
        WebhookEvent.objects.filter(pk=event.pk).update(payload=event.payload)
    return call


def store_recording(call: Call, audio: bytes) -> None:
    """Save MP3 bytes as the call's recording file (default storage, MEDIA_ROOT)."""
    call.recording_file.save(f"{call.pk}.mp3", ContentFile(audio), save=False)
    call.save(update_fields=["recording_file"])


def ensure_recording(call: Call) -> bool:
    """Make sure the call's recording is stored, fetching it from ElevenLabs if needed.

    Returns False when the provider has no recording. Raises ProviderError on failures.
    """
    if call.recording_file:
        return True
    if not call.elevenlabs_conversation_id:
        return False
    try:
        audio = get_provider().get_conversation_audio(call.elevenlabs_conversation_id)
    except ProviderNotFound:
        return False
    if not audio:
        return False
    store_recording(call, audio)
    return True


def _after_call_final(call_id, conversation_id: str | None) -> None:
    from calls.tasks import enqueue

    if conversation_id:
        waiting_audio = WebhookEvent.objects.filter(
            event_type=POST_CALL_AUDIO, conversation_id=conversation_id, processed_at__isnull=True
        ).values_list("pk", flat=True)
        for event_id in waiting_audio:
            enqueue("calls.tasks.process_webhook_event", event_id)
    call = Call.objects.select_related("contact", "agent").get(pk=call_id)
    call_finished.send(sender=Call, call=call)


def _call_for_event(event: WebhookEvent, data: dict, phone_call: dict) -> Call:
    """The call with this conversation id, created when Voqo did not place it."""
    conversation_id = event.conversation_id
    call = (
        Call.objects.select_related("contact")
        .filter(elevenlabs_conversation_id=conversation_id)
        .first()
    )
    if call is not None:
        return call
    inbound = phone_call.get("direction") != "outbound"
    raw_external = str(phone_call.get("external_number") or "")
    external = try_normalize_phone(raw_external) or raw_external[:20]
    if not inbound and (placed := _adopt_placed_call(conversation_id, external)):
        return placed
    raw_agent_number = str(phone_call.get("agent_number") or settings.TWILIO_PHONE_NUMBER or "")
    agent_number = try_normalize_phone(raw_agent_number) or raw_agent_number[:20]
    agent = _agent_for(data)
    try:
        with transaction.atomic():
            return Call.objects.create(
                elevenlabs_conversation_id=conversation_id,
                direction=Call.Direction.INBOUND if inbound else Call.Direction.OUTBOUND,
                status=Call.Status.INITIATED,
                from_phone=external if inbound else agent_number,
                to_phone=agent_number if inbound else external,
                agent=agent,
                agent_name=agent.name if agent else "",
            )
    except IntegrityError:
        return Call.objects.select_related("contact").get(
            elevenlabs_conversation_id=conversation_id
        )


# How long after Voqo created an outbound call record its webhook may claim it by number.
ADOPTION_WINDOW = timedelta(minutes=15)


def _adopt_placed_call(conversation_id: str, to_phone: str) -> Call | None:
    """The outbound call Voqo placed to `to_phone` whose conversation id is not stored yet.

    The provider can report a call (a busy line fails within a second) before the dialler
    has stored the id the outbound-call request returned; the event then claims the record
    instead of creating a second one — with a conditional update, so only one event can.
    """
    candidate = (
        Call.objects.filter(
            direction=Call.Direction.OUTBOUND,
            status=Call.Status.INITIATED,
            elevenlabs_conversation_id__isnull=True,
            to_phone=to_phone,
            created_at__gte=timezone.now() - ADOPTION_WINDOW,
        )
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if candidate is None:
        return None
    claimed = Call.objects.filter(pk=candidate, elevenlabs_conversation_id__isnull=True).update(
        elevenlabs_conversation_id=conversation_id
    )
    return Call.objects.select_related("contact").get(pk=candidate) if claimed else None


def _agent_for(data: dict) -> Agent | None:
    agent_id = data.get("agent_id")
    if not agent_id:
        return None
    return Agent.objects.filter(elevenlabs_agent_id=str(agent_id)).first()


def _status_for(data: dict, phone_call: dict) -> str:
    if data.get("status") == "failed":
        return Call.Status.FAILED
    return CALL_RESULT_STATUS.get(str(phone_call.get("call_result") or ""), Call.Status.COMPLETED)


def _match_contact(phone: str, caller_name: str, *, create: bool) -> Contact | None:
    """The contact with this number; created (named if the caller said so) when allowed."""
    phone = try_normalize_phone(phone) if phone else None
    if not phone:
        return None
    contact = Contact.objects.filter(phone=phone).first()
    if contact is not None or not create:
        return contact
    try:
        with transaction.atomic():
            return Contact.objects.create(phone=phone, name=(caller_name or UNKNOWN_CALLER)[:200])
    except IntegrityError:  # created by a concurrent call from the same number
        return Contact.objects.get(phone=phone)


def memory_key(content: str) -> str:
    """Two facts are the same fact regardless of case and spacing."""
    return " ".join(content.split()).casefold()


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _save_memories(contact: Contact, call: Call, text: str) -> None:
    known = {memory_key(content) for content in contact.memories.values_list("content", flat=True)}
    new = []
    for line in text.splitlines():
        fact = _BULLET.sub("", line).strip()
        key = memory_key(fact)
        if not key or key in known:
            continue
        known.add(key)
        new.append(Memory(contact=contact, call=call, content=fact, source=Memory.Source.AUTO))
    Memory.objects.bulk_create(new)


def _collected(collected: dict, key: str) -> str:
    item = collected.get(key)
    value = item.get("value") if isinstance(item, dict) else item
    return str(value).strip() if value not in (None, "") else ""


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return None


# -- the post-call SMS ----------------------------------------------------------------


def sms_skip_reason(call: Call, values: dict[str, Any]) -> str:
    """Why this call gets no follow-up SMS; empty when it should get one."""
    if not values["sms_enabled"]:
        return "Follow-up SMS are turned off in Settings."
    if call.status != Call.Status.COMPLETED:
        return "The call did not connect."
    if values["sms_skip_silent"] and not call.caller_spoke:
        return "The caller never spoke."
    if not try_normalize_phone(call.external_phone or ""):
        return "There is no number to text."
    if call.contact is not None and call.contact.is_opted_out:
        return "The contact has opted out of messages."
    return ""


def sms_variables(call: Call, values: dict[str, Any]) -> dict[str, str]:
    """The template variables for this call's SMS."""
    contact = call.contact
    name = contact.name if contact and contact.name != UNKNOWN_CALLER else ""
    moment = timezone.localtime(call.started_at or call.created_at, _zone(values))
    summary = " ".join(call.summary.split())
    summary = summary[:-1] if summary.endswith(".") and not summary.endswith("..") else summary
    return {
        "caller_name": name or "there",
        "first_name": first_name(name),
        "caller_phone": format_phone(call.external_phone),
        "call_summary": summary,
        "agent_name": call.agent_name or values["agency_name"],
        "call_duration": format_duration(call.duration),
        "call_date": f"{moment.day} {moment:%B %Y}",
    }


def format_duration(seconds: int | None) -> str:
    """145 → "2m 25s"."""
    minutes, secs = divmod(int(seconds or 0), 60)
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def render_call_sms(call: Call, values: dict[str, Any]) -> str:
    """The SMS text for this call, fitted to the segment limit."""
    variables = sms_variables(call, values)
    try:
        return render_sms_within_limit(values["sms_template"], variables)
    except SmsTemplateError:
        # A template saved before validation existed must not stop the follow-up.
        return render_sms_within_limit(DEFAULT_SETTINGS["sms_template"], variables)


def send_post_call_sms(call_id) -> str:
    """Send the call's follow-up SMS if it is due; returns the call's SMS status afterwards.

    The conditional UPDATE pending → sending is the claim: duplicates and retries that lose
    it do nothing, so a call is texted at most once. Failures are recorded on the call;
    retryable ones go back to pending with a later `sms_next_attempt_at`.
    """
    now = timezone.now()
    claimed = (
        Call.objects.filter(pk=call_id, sms_status=Call.SmsStatus.PENDING)
        .filter(Q(sms_next_attempt_at__isnull=True) | Q(sms_next_attempt_at__lte=now))
        .update(
            sms_status=Call.SmsStatus.SENDING,
            sms_attempts=F("sms_attempts") + 1,
            sms_next_attempt_at=None,
        )
    )
    if not claimed:
        return Call.objects.filter(pk=call_id).values_list("sms_status", flat=True).first() or ""
    call = Call.objects.select_related("contact").get(pk=call_id)
    values = Setting.all_values()
    # Settings or the contact's opt-out may have changed since the call was recorded.
    reason = sms_skip_reason(call, values)
    if reason:
        _finish_sms(call, Call.SmsStatus.SKIPPED, sms_error=reason)
        return Call.SmsStatus.SKIPPED
    body = render_call_sms(call, values)
    to = try_normalize_phone(call.external_phone)
    callback = settings.PUBLIC_BASE_URL + reverse("twilio_sms_status")
    try:
        sent = get_provider().send_sms(to=to, body=body, status_callback=callback)
    except ProviderError as error:
        return _record_sms_failure(call, error, body)
    with transaction.atomic():
        _finish_sms(
            call,
            Call.SmsStatus.SENT,
            sms_body=body,
            sms_sid=sent.sid,
            sms_error="",
            sms_sent=True,
            sms_sent_at=timezone.now(),
        )
        SmsMessage.objects.get_or_create(
            sid=sent.sid,
            defaults={
                "direction": SmsMessage.Direction.OUTBOUND,
                "contact": call.contact,
                "call": call,
                "from_phone": settings.TWILIO_PHONE_NUMBER,
                "to_phone": to,
                "body": body,
                "status": sent.status,
            },
        )
    return Call.SmsStatus.SENT


def _record_sms_failure(call: Call, error: ProviderError, body: str) -> str:
    message = f"{error.message} (Twilio error {error.code})" if error.code else error.message
    logger.warning("post-call SMS for call %s failed: %r", call.pk, error)
    if error.code == SMS_OPTED_OUT_CODE and call.contact_id:
        opt_out_contact(call.contact_id, by="sms")
    # A timeout without an HTTP answer may have been delivered: retrying could text twice.
    unknown_delivery = error.outcome_unknown and error.status_code is None
    retryable = (
        isinstance(error, ProviderRetryableError)
        and error.code not in SMS_PERMANENT_CODES
        and not unknown_delivery
        and call.sms_attempts < SMS_MAX_ATTEMPTS
    )
    if not retryable:
        if unknown_delivery:
            message += " — it may have been sent, so Voqo will not send it again."
        _finish_sms(call, Call.SmsStatus.FAILED, sms_body=body, sms_error=message)
        return Call.SmsStatus.FAILED
    when = timezone.now() + SMS_RETRY_DELAYS[min(call.sms_attempts, len(SMS_RETRY_DELAYS)) - 1]
    _finish_sms(
        call, Call.SmsStatus.PENDING, sms_body=body, sms_error=message, sms_next_attempt_at=when
    )
    from calls.tasks import schedule_sms_retry

    schedule_sms_retry(call.pk, when)
    return Call.SmsStatus.PENDING


def _finish_sms(call: Call, status: str, **fields: Any) -> None:
    """Leave the `sending` claim for `status`, recording `fields` on the call."""
    Call.objects.filter(pk=call.pk, sms_status=Call.SmsStatus.SENDING).update(
        sms_status=status, **fields
    )


def due_sms_call_ids(now: datetime | None = None) -> list:
    """Calls whose follow-up SMS waits to be (re)sent now."""
    now = now or timezone.now()
    return list(
        Call.objects.filter(sms_status=Call.SmsStatus.PENDING)
        .filter(Q(sms_next_attempt_at__isnull=True) | Q(sms_next_attempt_at__lte=now))
        .values_list("pk", flat=True)[:500]
    )


def unprocessed_event_ids(older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Stored events no worker has finished (a lost task, a crash), oldest first."""
    cutoff = timezone.now() - older_than
    return list(
        WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )


# -- Twilio webhooks -------------------------------------------------------------------

OPT_OUT_WORDS = frozenset(
    {"STOP", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "OPTOUT", "REVOKE", "STOPALL"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})


def opt_out_contact(contact_id, *, by: str) -> None:
    """Stop all SMS and campaign calls to the contact (kept if already opted out)."""
    Contact.objects.filter(pk=contact_id, opted_out_at__isnull=True).update(
        opted_out_at=timezone.now(), opted_out_by=by, updated_at=timezone.now()
    )


def _keyword(body: str) -> str:
    return body.strip().rstrip(".!?,;:").strip().upper()


def record_inbound_sms(
    *, sid: str, from_phone: str, to_phone: str, body: str, opt_out_type: str = ""
) -> SmsMessage | None:
    """Store a reply (once per MessageSid) and apply STOP/START; None for a duplicate."""
    phone = try_normalize_phone(from_phone) or from_phone[:20]
    contact = Contact.objects.filter(phone=phone).first()
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                direction=SmsMessage.Direction.INBOUND,
                sid=sid,
                contact=contact,
                from_phone=phone,
                to_phone=(try_normalize_phone(to_phone) or to_phone)[:20],
                body=body,
                status="received",
            )
    except IntegrityError:
        return None
    if contact is not None:
        keyword = _keyword(body)
        opt_out_type = opt_out_type.upper()
        if opt_out_type == "STOP" or (not opt_out_type and keyword in OPT_OUT_WORDS):
            opt_out_contact(contact.pk, by="sms")
        elif opt_out_type == "START" or (not opt_out_type and keyword in OPT_IN_WORDS):
            Contact.objects.filter(pk=contact.pk).update(
                opted_out_at=None, opted_out_by="", updated_at=timezone.now()
            )
    return message


def record_sms_status(*, sid: str, status: str, error_code: str = "") -> bool:
    """Apply a delivery status callback if it moves the message forward; True if applied."""
    status = status.lower()
    fields: dict[str, Any] = {"status": status, "updated_at": timezone.now()}
    if error_code:
        fields["error_code"] = error_code[:16]
    updated = SmsMessage.objects.filter(
        sid=sid, status__in=SmsMessage.statuses_before(status)
    ).update(**fields)
    if error_code == SMS_OPTED_OUT_CODE:
        contact_id = SmsMessage.objects.filter(sid=sid).values_list("contact_id", flat=True).first()
        if contact_id:
            opt_out_contact(contact_id, by="sms")
    return bool(updated)


def _zone(values: dict[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(values.get("time_zone") or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def agency_zone() -> ZoneInfo:
    """The agency's time zone from Settings."""
    return _zone(Setting.all_values())
