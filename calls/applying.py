"""Applying a post-call event: the call record, its contact and memories, the SMS decision.

Input is a `PostCallEvent` parsed once at the provider boundary — from a stored webhook
(calls.receiving) or from `get_conversation` when the webhook was lost (campaign
reconciliation) — so both paths run the same steps: SMS, memories, `call_finished`.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from calls import queue
from calls.followup_sms import sms_skip_reason
from calls.models import Call, WebhookEvent
from calls.ownership import agency_of, install_agency
from calls.recordings import store_recording
from calls.signals import call_finished, post_call_recorded
from compliance.consent import apply_in_call_opt_out
from contacts.models import UNKNOWN_CALLER, Contact, Memory
from voqo.events import announce, announce_voice_used
from voqo.models import Setting
from voqo.phones import try_normalize_phone
from voqo.providers import PostCallEvent
from voqo.providers.elevenlabs_webhooks import (
    CALL_INITIATION_FAILURE,
    POST_CALL_AUDIO,
    POST_CALL_TRANSCRIPTION,
)

logger = logging.getLogger(__name__)

INITIATION_FAILURES = {
    "busy": (Call.Status.BUSY, "The line was busy."),
    "no-answer": (Call.Status.NO_ANSWER, "Nobody answered."),
    "no_answer": (Call.Status.NO_ANSWER, "Nobody answered."),
}
# metadata.phone_call.call_result → our call status ("answered" and anything new: completed).
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
    "caller_spoke",
    "channel",
    "duration",
    "started_at",
    "ended_at",
    "failure_reason",
    "dynamic_variables",
    "voice_id",
    "sms_status",
    "sms_error",
]


class EventOfAnotherAgency(Exception):
    """An event received for one agency names a call of another: it is never applied."""


def apply_event(event: PostCallEvent, *, agency: Agency | None = None) -> Call | None:
    """Apply any post-call event; None for an event to wait with (audio before its call)
    or to ignore (a type Voqo does not handle). With `agency` (the event came to that
    agency's own webhook URL), only that agency's call, agent and contacts are used."""
    handler = HANDLERS.get(event.event_type)
    return handler(event, agency=agency) if handler else None


def record_post_call(event: PostCallEvent, *, agency: Agency | None = None) -> Call:
    """Turn a finished conversation into the call record, contact and memories.

    Updates the outbound call Voqo placed (same conversation id) or creates the inbound one;
    decides the follow-up SMS, and after commit queues it and sends `call_finished`.
    """
    if event.problems:
        # Dropped at the boundary field by field; the rest of the call is recorded.
        logger.warning("conversation %s: %s", event.conversation_id, "; ".join(event.problems))
    call = _call_for_event(event, agency)
    values = Setting.all_values(call.agency)
    if call.agent_id is None and (agent := _agent_for(event, call.agency)):
        call.agent, call.agent_name = agent, agent.name
    call.status = _status_for(event)
    call.summary = event.summary
    call.title = event.title
    call.outcome = event.outcome
    call.analysis = event.analysis
    call.transcript = event.transcript
    call.caller_spoke = event.caller_spoke
    call.channel = Call.Channel.WEB if event.channel == "web" else Call.Channel.PHONE
    call.duration = event.duration
    if event.started_at is not None:
        call.started_at = event.started_at
        if event.duration is not None:
            call.ended_at = event.started_at + timedelta(seconds=event.duration)
    if call.status == Call.Status.FAILED and not call.failure_reason:
        call.failure_reason = event.termination_reason
    if not call.dynamic_variables:
        call.dynamic_variables = event.dynamic_variables
    # The voice the conversation was told to speak with (the initiation answer's override);
    # counted once, however often the event is delivered.
    newly_voiced = bool(event.voice_id) and not call.voice_id
    if newly_voiced:
        call.voice_id = event.voice_id

    # A web, widget or test conversation has no caller number: no contact, no SMS.
    # The contact is matched (or created) within the call's agency only: another agency's
    # contact with the same number is never touched.
    contact = call.contact
    if contact is None and call.channel == Call.Channel.PHONE:
        contact = _match_contact(
            call.external_phone,
            event.caller_name,
            agency=call.agency,
            create=values["auto_create_contacts"],
        )
    if contact is not None:
        call.contact = contact
        if event.caller_name and contact.name == UNKNOWN_CALLER:
            contact.name = event.caller_name
            contact.save(update_fields=["name", "updated_at"])
        moment = call.ended_at or timezone.now()
        Contact.objects.filter(pk=contact.pk).filter(
            Q(last_call_at__isnull=True) | Q(last_call_at__lt=moment)
        ).update(last_call_at=moment)
        if values["save_memories"]:
            _save_memories(contact, call, event.caller_memories, agency=call.agency)

    # Asked not to be called again: no SMS, no more calls (before the SMS decision).
    apply_in_call_opt_out(call, do_not_call=event.do_not_call)
    if call.sms_status == Call.SmsStatus.NONE:
        reason = sms_skip_reason(call, values)
        call.sms_status = Call.SmsStatus.SKIPPED if reason else Call.SmsStatus.PENDING
        call.sms_error = reason
    call.save(update_fields=POST_CALL_FIELDS)
    if newly_voiced:
        announce_voice_used(call.agency, call.voice_id)

    if call.sms_status == Call.SmsStatus.PENDING:
        queue.queue_post_call_sms(call.pk)
    post_call_recorded.send(sender=Call, call=call, event=event)
    _after_commit_call_final(call)
    return call


def record_call_initiation_failure(event: PostCallEvent, *, agency: Agency | None = None) -> Call:
    """Mark the outbound call that never connected as busy, no-answer or failed."""
    reason = event.failure_reason or "unknown"
    status, text = INITIATION_FAILURES.get(
        reason, (Call.Status.FAILED, f"The call could not be started ({reason}).")
    )
    if event.sip_code:
        text = f"{text} (SIP {event.sip_code})"
    return _record_outcome(event, status=status, reason=text, agency=agency)


def record_call_without_result(
    event: PostCallEvent, *, reason: str, status: str = Call.Status.FAILED
) -> Call:
    """The provider never reported how the call ended: mark it `status` (failed, or unknown
    when nobody can tell) with `reason`."""
    return _record_outcome(event, status=status, reason=reason)


def _record_outcome(
    event: PostCallEvent, *, status: str, reason: str, agency: Agency | None = None
) -> Call:
    call = _call_for_event(event, agency)
    if call.agent_id is None and (agent := _agent_for(event, call.agency)):
        call.agent, call.agent_name = agent, agent.name
    # A processed transcription already says what happened; never downgrade it. A result that
    # arrives after reconciliation gave up ("unknown") still says more than that.
    if call.status in (Call.Status.INITIATED, Call.Status.FAILED, Call.Status.UNKNOWN):
        call.status = status
        call.failure_reason = reason
    if call.sms_status == Call.SmsStatus.NONE:
        call.sms_status, call.sms_error = Call.SmsStatus.SKIPPED, "The call never connected."
    call.save(
        update_fields=["agent", "agent_name", "status", "failure_reason", "sms_status", "sms_error"]
    )
    _after_commit_call_final(call)
    return call


def record_post_call_audio(event: PostCallEvent, *, agency: Agency | None = None) -> Call | None:
    """Store the recording of a post_call_audio event; None while its call is unknown."""
    call = Call.objects.filter(elevenlabs_conversation_id=event.conversation_id).first()
    if call is None:
        return None
    _refuse_other_agency(call, agency)
    if not call.recording_file and event.audio:
        store_recording(call, event.audio)
    return call


HANDLERS = {
    POST_CALL_TRANSCRIPTION: record_post_call,
    CALL_INITIATION_FAILURE: record_call_initiation_failure,
    POST_CALL_AUDIO: record_post_call_audio,
}
HANDLED_EVENT_TYPES = frozenset(HANDLERS)


def _after_commit_call_final(call: Call) -> None:
    """After commit: process audio that waited for this call, and send `call_finished`.
    Announces `call.completed` (outgoing webhooks) with the call as it ended."""
    call_id, conversation_id = call.pk, call.elevenlabs_conversation_id
    announce(call.agency, "call.completed", call_event_data(call), agent_id=call.agent_id)

    def after_commit() -> None:
        if conversation_id:
            waiting_audio = WebhookEvent.objects.filter(
                event_type=POST_CALL_AUDIO,
                conversation_id=conversation_id,
                processed_at__isnull=True,
            )
            # The call it waited for is here: whatever its backoff or parking said.
            waiting_audio.update(next_attempt_at=None, failed_at=None)
            for event_id in waiting_audio.values_list("pk", flat=True):
                queue.queue_event_processing(event_id)
        final = Call.objects.select_related("contact", "agent").get(pk=call_id)
        call_finished.send(sender=Call, call=final)

    transaction.on_commit(after_commit)


def call_event_data(call: Call) -> dict:
    """The call as a `call.completed` event carries it (JSON-ready)."""

    def moment(value):
        return value.isoformat() if value else None

    return {
        "id": str(call.pk),
        "direction": call.direction,
        "status": call.status,
        "agent_id": str(call.agent_id) if call.agent_id else None,
        "agent_name": call.agent_name,
        "contact_id": str(call.contact_id) if call.contact_id else None,
        "from_phone": call.from_phone,
        "to_phone": call.to_phone,
        "duration": call.duration,
        "title": call.title,
        "summary": call.summary,
        "outcome": call.outcome,
        "failure_reason": call.failure_reason,
        "conversation_id": call.elevenlabs_conversation_id,
        "started_at": moment(call.started_at),
        "ended_at": moment(call.ended_at),
        "created_at": moment(call.created_at),
    }


def agency_for_event(event: PostCallEvent, agency: Agency | None = None) -> Agency:
    """The agency an event belongs to: the one it was received for, else its call's, else
    its agent's, else the install's."""
    if agency is not None:
        return agency
    call = (
        Call.objects.filter(elevenlabs_conversation_id=event.conversation_id)
        .select_related("agency")
        .first()
    )
    if call is not None:
        return call.agency
    return agency_of(_agent_for(event)) or install_agency()


def _refuse_other_agency(call: Call, agency: Agency | None) -> None:
    if agency is not None and call.agency_id != agency.pk:
        raise EventOfAnotherAgency(
            f"Conversation {call.elevenlabs_conversation_id} is a call of another agency; an "
            "event received at this agency's webhook URL cannot change it."
        )


def _call_for_event(event: PostCallEvent, received_for: Agency | None = None) -> Call:
    """The call with this conversation id, created when Voqo did not place it (in the agency
    the event was received for, else its agent's, else the install's first)."""
    conversation_id = event.conversation_id
    call = (
        Call.objects.select_related("contact", "agency")
        .filter(elevenlabs_conversation_id=conversation_id)
        .first()
    )
    if call is not None:
        _refuse_other_agency(call, received_for)
        return call
    inbound = event.direction != "outbound"
    external = try_normalize_phone(event.external_number) or event.external_number[:20]
    agent = _agent_for(event, received_for)
    agency = received_for or agency_of(agent) or install_agency()
    if not inbound and (placed := _adopt_placed_call(conversation_id, external, agency=agency)):
        return placed
    raw_agent_number = event.agent_number or (
        settings.TWILIO_PHONE_NUMBER if event.channel == "phone" else ""
    )
    agent_number = try_normalize_phone(raw_agent_number) or raw_agent_number[:20]
    try:
        with transaction.atomic():
            return Call.objects.create(
                agency=agency,
                elevenlabs_conversation_id=conversation_id,
                direction=Call.Direction.INBOUND if inbound else Call.Direction.OUTBOUND,
                channel=Call.Channel.WEB if event.channel == "web" else Call.Channel.PHONE,
                status=Call.Status.INITIATED,
                from_phone=external if inbound else agent_number,
                to_phone=agent_number if inbound else external,
                agent=agent,
                agent_name=agent.name if agent else "",
            )
    except IntegrityError:
        call = Call.objects.select_related("contact", "agency").get(
            elevenlabs_conversation_id=conversation_id
        )
        _refuse_other_agency(call, received_for)
        return call


# How long after Voqo created an outbound call record its webhook may claim it by number.
ADOPTION_WINDOW = timedelta(minutes=15)


def _adopt_placed_call(conversation_id: str, to_phone: str, *, agency: Agency) -> Call | None:
    """The outbound call `agency` placed to `to_phone` whose conversation id is not stored yet.

    The provider can report a call (a busy line fails within a second) before the dialler
    has stored the id the outbound-call request returned; the event then claims the record
    instead of creating a second one — with a conditional update, so only one event can.
    """
    candidate = (
        Call.objects.filter(
            agency=agency,
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
    return Call.objects.select_related("contact", "agency").get(pk=candidate) if claimed else None


def _agent_for(event: PostCallEvent, agency: Agency | None = None) -> Agent | None:
    """The event's agent (ElevenLabs ids are global); within `agency` when it is known."""
    if not event.agent_id:
        return None
    agents = Agent.objects.filter(elevenlabs_agent_id=event.agent_id)
    if agency is not None:
        agents = agents.filter(agency=agency)
    return agents.first()


def _status_for(event: PostCallEvent) -> str:
    if event.status == "failed":
        return Call.Status.FAILED
    return CALL_RESULT_STATUS.get(event.call_result, Call.Status.COMPLETED)


def _match_contact(phone: str, caller_name: str, *, agency: Agency, create: bool) -> Contact | None:
    """`agency`'s contact with this number; created (named if the caller said so) when allowed."""
    phone = try_normalize_phone(phone) if phone else None
    if not phone:
        return None
    contact = Contact.objects.filter(phone=phone, agency=agency).first()
    if contact is not None or not create:
        return contact
    try:
        with transaction.atomic():
            return Contact.objects.create(
                phone=phone, name=caller_name or UNKNOWN_CALLER, agency=agency
            )
    except IntegrityError:  # created by a concurrent call from the same number
        return Contact.objects.get(phone=phone, agency=agency)


def memory_key(content: str) -> str:
    """Two facts are the same fact regardless of case and spacing."""
    return " ".join(content.split()).casefold()


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


# One call adds at most this many memories, each at most this long: a runaway analysis
# must not bury the contact (and every later call's context) in thousands of lines.
MAX_MEMORIES_PER_CALL = 20
MAX_MEMORY_CHARS = 500


def _save_memories(contact: Contact, call: Call, text: str, *, agency: Agency) -> None:
    known = {memory_key(content) for content in contact.memories.values_list("content", flat=True)}
    new = []
    for line in text.splitlines():
        if len(new) >= MAX_MEMORIES_PER_CALL:
            break
        fact = _BULLET.sub("", line).strip()[:MAX_MEMORY_CHARS].strip()
        key = memory_key(fact)
        if not key or key in known:
            continue
        known.add(key)
        new.append(
            Memory(
                contact=contact,
                call=call,
                content=fact,
                source=Memory.Source.AUTO,
                agency=agency,
            )
        )
    Memory.objects.bulk_create(new)
