"""Placing an outbound call: the one path used by "Call now" and by campaigns."""

import logging

from django.conf import settings

from agents.models import Agent
from calls.models import Call
from contacts.models import Contact
from contacts.opt_out import is_suppressed
from voqo.phones import format_phone, outbound_call_problem
from voqo.providers import ProviderError, get_provider

logger = logging.getLogger(__name__)


class OutboundCallRefused(Exception):
    """Voqo will not place this call (disabled or unsynced agent, opted-out number, a number
    that is not a mobile or landline); nothing was dialled."""


class OutboundCallFailed(Exception):
    """The provider refused or failed the call; `call` is recorded as failed with the reason.

    When `error.outcome_unknown` is set the provider may have dialled anyway (timeout, 5xx):
    the call stays `initiated` so nobody re-dials blindly; reconcile it instead.
    """

    def __init__(self, call: Call, error: ProviderError) -> None:
        super().__init__(str(error))
        self.call = call
        self.error = error


def prepare_outbound_call(
    *,
    agent: Agent,
    to_phone: str,
    dynamic_variables: dict[str, str],
    contact: Contact | None = None,
) -> Call:
    """Check the agent may call and create the call record with status `initiated`.

    `dynamic_variables` are stored on the record (what the agent knew at call start) and
    sent to the provider by dial_outbound_call(); the contact's last call time is set.

    The record exists before anything is dialled, so a crash before the provider answers
    leaves a visible row to reconcile, never an untracked call. Raises OutboundCallRefused.
    """
    if not agent.enabled:
        raise OutboundCallRefused(f"{agent.name} is disabled, so it cannot place calls.")
    if not agent.elevenlabs_agent_id:
        raise OutboundCallRefused(
            f"{agent.name} is not synced to ElevenLabs yet. Open the agent and retry the sync."
        )
    if contact is not None and contact.opted_out_at is not None:
        raise OutboundCallRefused(
            f"{contact.name or contact.phone} has opted out, so Voqo will not call them."
        )
    if is_suppressed(to_phone):
        raise OutboundCallRefused(
            f"{format_phone(to_phone)} has opted out of calls and messages, so Voqo will not "
            "call it."
        )
    if problem := outbound_call_problem(to_phone):
        raise OutboundCallRefused(problem)
    call = Call.objects.create(
        agent=agent,
        agent_name=agent.name,
        contact=contact,
        direction=Call.Direction.OUTBOUND,
        status=Call.Status.INITIATED,
        from_phone=settings.TWILIO_PHONE_NUMBER,
        to_phone=to_phone,
        dynamic_variables=dynamic_variables,
    )
    if contact is not None:
        Contact.objects.filter(pk=contact.pk).update(last_call_at=call.created_at)
    return call


def dial_outbound_call(call: Call, *, first_message: str | None = None) -> Call:
    """Ask the provider to dial a prepared call; store its conversation id or the failure.

    Raises OutboundCallFailed (the call is marked failed unless the outcome is unknown).
    """
    try:
        started = get_provider().start_outbound_call(
            agent_id=call.agent.elevenlabs_agent_id,
            to_number=call.to_phone,
            dynamic_variables=call.dynamic_variables,
            first_message=first_message,
        )
    except ProviderError as error:
        logger.warning("outbound call %s to %s failed: %r", call.id, call.to_phone, error)
        call.failure_reason = str(error)
        fields = ["failure_reason"]
        if not error.outcome_unknown:
            call.status = Call.Status.FAILED
            fields.append("status")
        call.save(update_fields=fields)
        raise OutboundCallFailed(call, error) from error
    call.elevenlabs_conversation_id = started.conversation_id
    call.save(update_fields=["elevenlabs_conversation_id"])
    return call


def place_outbound_call(
    *,
    agent: Agent,
    to_phone: str,
    dynamic_variables: dict[str, str],
    contact: Contact | None = None,
    first_message: str | None = None,
) -> Call:
    """Prepare and dial in one step (the "Call now" path). Raises like the two steps."""
    call = prepare_outbound_call(
        agent=agent, to_phone=to_phone, dynamic_variables=dynamic_variables, contact=contact
    )
    return dial_outbound_call(call, first_message=first_message)
