"""Placing an outbound call: the one path used by "Call now" and by campaigns."""

import logging

from django.conf import settings

from agents.models import Agent
from calls.models import Call
from contacts.models import Contact
from voqo.providers import ProviderError, get_provider

logger = logging.getLogger(__name__)


class OutboundCallRefused(Exception):
    """Voqo will not place this call (disabled or unsynced agent); nothing was dialled."""


class OutboundCallFailed(Exception):
    """The provider refused or failed the call; `call` is recorded as failed with the reason.

    When `error.outcome_unknown` is set the provider may have dialled anyway (timeout, 5xx):
    the call stays `initiated` so nobody re-dials blindly; reconcile it instead.
    """

    def __init__(self, call: Call, error: ProviderError) -> None:
        super().__init__(str(error))
        self.call = call
        self.error = error


def place_outbound_call(
    *,
    agent: Agent,
    to_phone: str,
    dynamic_variables: dict[str, str],
    contact: Contact | None = None,
    first_message: str | None = None,
) -> Call:
    """Create the call record (status `initiated`) and ask the provider to dial `to_phone`.

    The record is saved before the provider call so a crash in between leaves a visible row,
    never an untracked call. Raises OutboundCallRefused or OutboundCallFailed.
    """
    if not agent.enabled:
        raise OutboundCallRefused(f"{agent.name} is disabled, so it cannot place calls.")
    if not agent.elevenlabs_agent_id:
        raise OutboundCallRefused(
            f"{agent.name} is not synced to ElevenLabs yet. Open the agent and retry the sync."
        )
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
    try:
        started = get_provider().start_outbound_call(
            agent_id=agent.elevenlabs_agent_id,
            to_number=to_phone,
            dynamic_variables=dynamic_variables,
            first_message=first_message,
        )
    except ProviderError as error:
        logger.warning("outbound call %s to %s failed: %r", call.id, to_phone, error)
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
