"""The sandbox provider: ElevenLabs and Twilio simulated inside Voqo (no keys, no network
beyond Voqo itself).

Agents and tools get fake ids. An outbound call returns a conversation id at once and
queues `sandbox.tasks.run_sandbox_call`, which waits `SANDBOX_CALL_DELAY` seconds, writes a
plausible conversation (`sandbox.script`) and POSTs it, signed exactly as ElevenLabs signs,
to Voqo's own post-call webhook — so the real pipeline records the call. SMS land in the
outbox (`SandboxMessage`).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent
from calls.reconciling import note_undelivered_result
from calls.replies import record_inbound_sms
from phone_numbers.selectors import outbound_numbers
from sandbox.models import SandboxConversation, SandboxMessage
from sandbox.queue import queue_sandbox_call
from sandbox.script import SimulatedCall, seed_for, simulate_event
from sandbox.voices import preview_wav, sample_voices
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS
from voqo.providers import (
    AgentSpec,
    ConnectionCheck,
    OutboundCall,
    PostCallEvent,
    Provider,
    ProviderNotFound,
    SentSms,
    ToolSpec,
    TwilioNumberRegistration,
    Voice,
    VoiceSampleFile,
)
from voqo.providers.elevenlabs_webhooks import parse_conversation, parse_event, sign

logger = logging.getLogger(__name__)

POST_CALL_WEBHOOK_PATH = "/webhooks/elevenlabs/post-call"
INITIATION_WEBHOOK_PATH = "/webhooks/elevenlabs/initiation"
WEBHOOK_TIMEOUT_SECS = 10

# One second of silence: 38 MPEG-1 Layer III frames (32 kbps, 44.1 kHz, mono), each a
# 4-byte header and 100 zero bytes — zero side information decodes as silence.
SILENT_MP3 = (b"\xff\xfb\x10\xc0" + b"\x00" * 100) * 38


def _fake_id(prefix: str, length: int = 24) -> str:
    return prefix + secrets.token_hex(length // 2)


class SandboxProvider(Provider):
    """ElevenLabs and Twilio as simulated by Voqo itself; see the module docstring."""

    # agents and tools: nothing to keep beyond an id, Voqo's own rows hold the configuration

    def create_agent(self, spec: AgentSpec) -> str:
        return _fake_id("agent_sbx_")

    def update_agent(self, agent_id: str, spec: AgentSpec) -> None:
        return None

    def find_agent(self, *, name: str, tag: str) -> str | None:
        return None  # a sandbox create always answers: there is nothing to reconcile

    def delete_agent(self, agent_id: str) -> None:
        return None

    def create_tool(self, spec: ToolSpec) -> str:
        return _fake_id("tool_sbx_")

    def update_tool(self, tool_id: str, spec: ToolSpec) -> None:
        return None

    def delete_tool(self, tool_id: str) -> None:
        return None

    # knowledge base: Voqo keeps the text; the sandbox needs only an id

    def create_knowledge_text(self, *, name: str, text: str) -> str:
        return _fake_id("kb_sbx_")

    def create_knowledge_file(
        self, *, name: str, filename: str, content: bytes, content_type: str
    ) -> str:
        return _fake_id("kb_sbx_")

    def create_knowledge_url(self, *, name: str, url: str) -> str:
        return _fake_id("kb_sbx_")

    def delete_knowledge_document(self, document_id: str) -> None:
        return None

    # calls

    def start_outbound_call(
        self,
        *,
        agent_id: str,
        to_number: str,
        dynamic_variables: dict[str, Any],
        first_message: str | None = None,
        phone_number_id: str = "",
        prompt: str | None = None,
        voice_id: str | None = None,
    ) -> OutboundCall:
        """'Dial': record the conversation and queue its ending; returns at once."""
        conversation = SandboxConversation.objects.create(
            conversation_id=_fake_id("conv_sbx_"),
            agent_id=agent_id,
            direction=SandboxConversation.Direction.OUTBOUND,
            external_number=to_number,
            call_sid=_fake_id("CAsbx", 28),
            dynamic_variables=dict(dynamic_variables),
            first_message=first_message or "",
            voice_id=voice_id or "",
        )
        queue_sandbox_call(conversation.conversation_id)
        return OutboundCall(
            conversation_id=conversation.conversation_id, call_sid=conversation.call_sid
        )

    # phone numbers and voices: ids only, Voqo's own rows hold the numbers

    def register_phone_number(self, registration: TwilioNumberRegistration) -> str:
        return _fake_id("phnum_sbx_")

    def assign_phone_number(self, phone_number_id: str, agent_id: str | None) -> None:
        return None

    def delete_phone_number(self, phone_number_id: str) -> None:
        return None

    def list_voices(self) -> list[Voice]:
        """Fixed sample voices whose previews Voqo generates (sandbox/voices.py)."""
        return sample_voices(
            lambda voice_id: reverse("sandbox_voice_preview", kwargs={"voice_id": voice_id})
        )

    def voice_preview_url(self, voice_id: str) -> str:
        """A sample voice's or a sandbox clone's generated preview (sandbox/voices.py)."""
        if preview_wav(voice_id) is None:
            return ""
        return reverse("sandbox_voice_preview", kwargs={"voice_id": voice_id})

    def clone_voice(
        self, *, name: str, samples: list[VoiceSampleFile], description: str = ""
    ) -> str:
        """A synthetic voice id after SANDBOX_CLONE_DELAY seconds, as if ElevenLabs cloned."""
        if settings.SANDBOX_CLONE_DELAY:
            time.sleep(settings.SANDBOX_CLONE_DELAY)
        return _fake_id("voice_sbx_")

    def delete_voice(self, voice_id: str) -> None:
        return None

    def get_conversation(self, conversation_id: str) -> PostCallEvent:
        conversation = SandboxConversation.objects.filter(conversation_id=conversation_id).first()
        if conversation is None:
            raise ProviderNotFound(
                f"Conversation with id {conversation_id} was not found.",
                status_code=404,
                code="conversation_not_found",
                provider="elevenlabs",
            )
        if conversation.payload is None:
            return parse_conversation(
                {
                    "agent_id": conversation.agent_id,
                    "conversation_id": conversation.conversation_id,
                    "status": "in-progress",
                }
            )
        data = dict(conversation.payload["data"])
        if conversation.payload["type"] == "call_initiation_failure":
            # ElevenLabs answers a conversation that never connected as a failed one.
            data.setdefault("status", "failed")
        return parse_event({**conversation.payload, "data": data})

    def get_conversation_audio(self, conversation_id: str) -> bytes:
        if not SandboxConversation.objects.filter(conversation_id=conversation_id).exists():
            raise ProviderNotFound(
                f"Conversation with id {conversation_id} was not found.",
                status_code=404,
                provider="elevenlabs",
            )
        return SILENT_MP3

    # SMS

    def send_sms(
        self, *, to: str, body: str, status_callback: str | None, from_number: str | None = None
    ) -> SentSms:
        """'Send' to the outbox staff see at /sandbox/outbox/."""
        message = SandboxMessage.objects.create(
            sid=_fake_id("SMsbx", 28),
            to_phone=to,
            from_phone=from_number or settings.TWILIO_PHONE_NUMBER,
            body=body,
        )
        return SentSms(sid=message.sid, status="delivered")

    def check_connection(self) -> list[ConnectionCheck]:
        """Nothing to reach: both providers are simulated inside Voqo."""
        return [
            ConnectionCheck("elevenlabs", True, "Sandbox: calls are simulated inside Voqo."),
            ConnectionCheck("twilio", True, "Sandbox: SMS go to the SMS outbox."),
        ]


# -- simulated calls --------------------------------------------------------------------


def simulate_inbound_call(*, agent_id: str, from_number: str) -> str:
    """Make `from_number` 'ring' the agent's number; returns the conversation id.

    The conversation ends like an outbound one: a signed post-call webhook after
    SANDBOX_CALL_DELAY seconds. Before it "answers", the simulated ElevenLabs asks Voqo's
    initiation webhook for the caller's dynamic variables, as the real one does.
    """
    conversation = SandboxConversation.objects.create(
        conversation_id=_fake_id("conv_sbx_"),
        agent_id=agent_id,
        direction=SandboxConversation.Direction.INBOUND,
        external_number=from_number,
        call_sid=_fake_id("CAsbx", 28),
    )
    queue_sandbox_call(conversation.conversation_id)
    return conversation.conversation_id


def simulate_inbound_sms(*, agency, from_number: str, body: str) -> None:
    """Make `from_number` text `agency`'s number, handled as Twilio's webhook would be."""
    number = outbound_numbers(agency).first()
    record_inbound_sms(
        sid=_fake_id("SMsbx", 28),
        from_phone=from_number,
        to_phone=number.number if number else settings.TWILIO_PHONE_NUMBER,
        body=body,
        agencies=[agency],
    )


def finish_conversation(conversation_id: str) -> SandboxConversation | None:
    """End a simulated call: write its event, store it, POST it to the post-call webhook.

    Idempotent: a conversation whose event was delivered is left alone; one whose delivery
    failed is delivered again with the same event.
    """
    conversation = SandboxConversation.objects.filter(conversation_id=conversation_id).first()
    if conversation is None:
        logger.warning("sandbox conversation %s does not exist", conversation_id)
        return None
    if conversation.delivery_status and 200 <= conversation.delivery_status < 300:
        return conversation
    if conversation.payload is None:
        if conversation.direction == SandboxConversation.Direction.INBOUND:
            variables, first_message, voice_id = _initiation_data(conversation)
            conversation.dynamic_variables = variables
            conversation.first_message = first_message
            conversation.voice_id = voice_id
        call = _simulated_call(conversation)
        if call.direction == SandboxConversation.Direction.INBOUND:
            call = replace(call, listing_search=_search_listings(conversation))
        conversation.payload = simulate_event(call, failure_rate=settings.SANDBOX_FAILURE_RATE)
        conversation.ended_at = timezone.now()
        conversation.save(
            update_fields=["dynamic_variables", "first_message", "voice_id", "payload", "ended_at"]
        )
    conversation.delivery_status = deliver_post_call_webhook(conversation.payload)
    conversation.save(update_fields=["delivery_status"])
    if not 200 <= conversation.delivery_status < 300:
        note_undelivered_result(
            conversation_id=conversation_id,
            problem=_delivery_problem(conversation.delivery_status),
        )
    return conversation


def _delivery_problem(status: int) -> str:
    url = settings.PUBLIC_BASE_URL + POST_CALL_WEBHOOK_PATH
    what = "could not connect" if status == 0 else f"the answer was HTTP {status}"
    return (
        f"The sandbox could not deliver this call's result to {url} ({what}). "
        "PUBLIC_BASE_URL must be the address Voqo is served at; Voqo fetches the result "
        f"after {settings.CALL_RESULT_TIMEOUT_MINUTES} minutes."
    )


def _simulated_call(conversation: SandboxConversation) -> SimulatedCall:
    # The sandbox plays ElevenLabs, which would know the agent's prompt: read ours.
    agent = Agent.objects.filter(elevenlabs_agent_id=conversation.agent_id).first()
    return SimulatedCall(
        conversation_id=conversation.conversation_id,
        agent_id=conversation.agent_id,
        direction=conversation.direction,
        external_number=conversation.external_number,
        agent_number=settings.TWILIO_PHONE_NUMBER,
        call_sid=conversation.call_sid,
        template=agent.template if agent else "custom",
        agent_name=agent.name if agent else "",
        greeting=agent.greeting_message if agent else "",
        first_message=conversation.first_message,
        voice_id=conversation.voice_id,
        dynamic_variables=conversation.dynamic_variables,
    )


def _search_listings(conversation: SandboxConversation) -> dict[str, Any] | None:
    """The caller asks about one of the agency's current listings: the simulated ElevenLabs
    calls the agent's search_listings tool through Voqo's function proxy, as it would live.

    None when the agent has no such tool, the agency no current listing, or no answer came.
    """
    from functions.models import CustomFunction
    from listings.models import Listing
    from listings.tool import TOOL_NAME

    agent = Agent.objects.filter(elevenlabs_agent_id=conversation.agent_id).first()
    tool = (
        CustomFunction.objects.filter(agent=agent, builtin=TOOL_NAME, enabled=True).first()
        if agent
        else None
    )
    if tool is None:
        return None
    stock = Listing.objects.filter(agency_id=agent.agency_id, status__in=Listing.IN_STOCK)
    count = stock.count()
    if not count:
        return None
    listing = stock.order_by("unique_id")[seed_for(conversation.conversation_id) % count]
    arguments = {"suburb": listing.suburb}
    request = urllib.request.Request(
        settings.PUBLIC_BASE_URL + reverse("functions:invoke", kwargs={"function_id": tool.pk}),
        data=json.dumps(arguments).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Voqo-Function-Token": tool.invocation_token,
            "X-Conversation-Id": conversation.conversation_id,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECS) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        logger.warning("sandbox: the search_listings tool gave no answer (%s)", error)
        return None
    return {"arguments": arguments, "answer": answer}


def _initiation_data(conversation: SandboxConversation) -> tuple[dict[str, Any], str, str]:
    """Ask Voqo's initiation webhook, as ElevenLabs does before answering an inbound call.

    Without an answer the call goes ahead with the placeholders, as it would at ElevenLabs.
    """
    fallback = {**CALLER_VARIABLE_PLACEHOLDERS, "caller_phone": conversation.external_number}
    body = json.dumps(
        {
            "caller_id": conversation.external_number,
            "agent_id": conversation.agent_id,
            "called_number": _number_of(conversation.agent_id),
            "call_sid": conversation.call_sid,
        }
    ).encode()
    request = urllib.request.Request(
        settings.PUBLIC_BASE_URL + INITIATION_WEBHOOK_PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.ELEVENLABS_INITIATION_TOKEN}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECS) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        logger.warning("sandbox: initiation webhook gave no answer (%s); using placeholders", error)
        return fallback, "", ""
    variables = answer.get("dynamic_variables") or {}
    overrides = answer.get("conversation_config_override") or {}
    override = overrides.get("agent") or {}
    voice_id = str((overrides.get("tts") or {}).get("voice_id") or "")
    return {**fallback, **variables}, str(override.get("first_message") or ""), voice_id


def _number_of(elevenlabs_agent_id: str) -> str:
    """The number a caller dials to reach the agent: one it answers, else the install's."""
    from phone_numbers.models import PhoneNumber
    from phone_numbers.selectors import INBOUND

    number = (
        PhoneNumber.objects.filter(
            agent__elevenlabs_agent_id=elevenlabs_agent_id, active=True, direction__in=INBOUND
        )
        .values_list("number", flat=True)
        .first()
    )
    return number or settings.TWILIO_PHONE_NUMBER


def deliver_post_call_webhook(event: dict[str, Any]) -> int:
    """POST `event` to Voqo's post-call webhook, signed as ElevenLabs signs.

    Returns the HTTP status, or 0 when Voqo could not be reached (ElevenLabs does not
    retry either; the event stays on the SandboxConversation).
    """
    body = json.dumps(event).encode()
    request = urllib.request.Request(
        settings.PUBLIC_BASE_URL + POST_CALL_WEBHOOK_PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "ElevenLabs-Signature": sign(body, settings.ELEVENLABS_WEBHOOK_SECRET),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        logger.warning("sandbox: post-call webhook answered %s", error.code)
        return error.code
    except (urllib.error.URLError, OSError) as error:
        logger.warning("sandbox: could not deliver the post-call webhook: %s", error)
        return 0
