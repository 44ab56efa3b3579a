"""The provider boundary in Voqo's own language: data classes, exceptions, the interface.

Nothing from the ElevenLabs or Twilio SDKs appears here; `live.py` translates.
"""

from __future__ import annotations

import abc
import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# -- exceptions ---------------------------------------------------------------


class ProviderError(Exception):
    """A provider refused or failed a request.

    `message` is the provider's own words (ElevenLabs `detail.message`, Twilio `message`),
    `code` its error code when it gives one ("21610", "invalid_api_key"), `provider`
    "elevenlabs" or "twilio". `outcome_unknown` is True when the request may have been
    acted on although we got no answer (read timeout, dropped connection, 5xx): for an
    outbound call that means "do not re-dial blindly, reconcile first".
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        provider: str = "",
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.provider = provider
        self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r}, "
            f"code={self.code!r}, provider={self.provider!r})"
        )


class ProviderAuthError(ProviderError):
    """Credentials rejected (401/403): a configuration problem, retrying will not help."""


class ProviderNotFound(ProviderError):
    """The agent, tool or conversation does not exist at the provider (404)."""


class ProviderRetryableError(ProviderError):
    """Worth retrying later with backoff: 408/409/429, 5xx, timeouts, connection errors."""


class ProviderInvalidRequest(ProviderError):
    """The provider refused the request itself (other 4xx): sending it again fails again."""


# -- data classes ---------------------------------------------------------------

# The two facts ElevenLabs extracts from every call for us (providers.md, "Agent configuration").
DEFAULT_DATA_COLLECTION: dict[str, dict[str, str]] = {
    "caller_name": {
        "type": "string",
        "description": "The caller's name if they said it, else empty.",
    },
    "caller_memories": {
        "type": "string",
        "description": (
            "Durable facts about the caller worth remembering next time (property interests, "
            "budget, timeline, family, preferences, commitments), one per line."
        ),
    },
    # An in-call opt-out (the 2017 Telemarketing Standard): Voqo stops calls and SMS to them.
    "do_not_call": {
        "type": "boolean",
        "description": (
            "True if the person asked not to be called again, to be taken off the list, or "
            "to stop receiving calls or messages; otherwise false."
        ),
    },
}


@dataclass(frozen=True)
class ToolSpec:
    """A webhook tool (custom function) that ElevenLabs calls during a conversation."""

    name: str
    description: str
    url: str
    method: str = "POST"
    request_headers: dict[str, str] = field(default_factory=dict)
    # Header name → dynamic variable ElevenLabs fills in per call, e.g. the conversation id
    # from "system__conversation_id" (the only way a tool call carries it).
    dynamic_variable_headers: dict[str, str] = field(default_factory=dict)
    body_schema: dict[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )
    response_timeout_secs: int = 20


@dataclass(frozen=True)
class KnowledgeDocumentRef:
    """A knowledge-base document attached to an agent (`kind`: "file", "url" or "text")."""

    document_id: str
    name: str
    kind: str = "text"


@dataclass(frozen=True)
class AgentSpec:
    """What Voqo configures on an ElevenLabs agent."""

    name: str
    prompt: str
    first_message: str
    language: str = "en"
    llm: str = "gpt-4o-mini"
    temperature: float = 0.5
    voice_id: str = ""
    dynamic_variable_placeholders: dict[str, str] = field(default_factory=dict)
    tool_ids: list[str] = field(default_factory=list)
    data_collection: dict[str, dict[str, Any]] | None = None  # None: DEFAULT_DATA_COLLECTION
    # How the agent behaves on a call (turns, limits, transfer, voicemail, recognition).
    behaviour: AgentBehaviour | None = None  # None: ElevenLabs' own defaults
    # Whether a call start may replace the prompt (a job's saved prompt). Off unless needed:
    # an agent without authentication accepts the overrides it allows from any web client.
    allow_prompt_override: bool = False
    # Tags on the provider's agent; Voqo tags each agent with its own id (agents.services
    # `agent_tag`) so a create whose answer was lost can be found again (`find_agent`).
    tags: list[str] = field(default_factory=list)
    # Knowledge: the documents the agent may cite; RAG is on whenever there is one.
    knowledge_base: list[KnowledgeDocumentRef] = field(default_factory=list)
    # PromptEvaluationCriteria dicts (platform_settings.evaluation.criteria); None: none sent.
    evaluation_criteria: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class AgentBehaviour:
    """How an agent behaves on a call, each value where ElevenLabs' agent API expects it."""

    max_tokens: int = -1  # conversation_config.agent.prompt.max_tokens; -1: no limit
    turn_timeout: float = 7.0  # conversation_config.turn.turn_timeout (seconds)
    silence_end_call_timeout: float = -1.0  # conversation_config.turn…; -1: never
    max_duration_seconds: int = 600  # conversation_config.conversation.max_duration_seconds
    interruptions: bool = True  # "interruption" in conversation_config.conversation.client_events
    keywords: tuple[str, ...] = ()  # conversation_config.asr.keywords
    transfer_number: str = ""  # the transfer_to_number system tool; "" leaves it out
    transfer_condition: str = ""
    voicemail_detection: bool = False  # the voicemail_detection system tool
    voicemail_message: str = ""  # "" hangs up on a voicemail instead of leaving a message


@dataclass(frozen=True)
class Voice:
    """A voice of the workspace that an agent can speak with."""

    voice_id: str
    name: str
    accent: str = ""
    gender: str = ""
    description: str = ""
    preview_url: str = ""  # a short audio sample the browser can play


@dataclass(frozen=True)
class VoiceSampleFile:
    """One recording to clone a voice from."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class TwilioNumberRegistration:
    """A Twilio number to register with ElevenLabs (its own account's SID and token)."""

    number: str
    label: str
    account_sid: str
    auth_token: str
    supports_inbound: bool = True
    supports_outbound: bool = True


@dataclass(frozen=True)
class OutboundCall:
    """A call the provider has started dialling."""

    conversation_id: str
    call_sid: str | None


@dataclass(frozen=True)
class PostCallEvent:
    """One ElevenLabs conversation as Voqo reads it: a post-call webhook event or the answer
    of `get_conversation`, parsed once (elevenlabs_webhooks.parse_event).

    Impossible values are dropped field by field (listed in `problems`) so the rest of the
    call is kept; texts carry no lone surrogates.
    """

    event_type: str
    conversation_id: str
    agent_id: str = ""
    status: str = ""  # ElevenLabs' conversation status: "done", "failed", "in-progress", …
    channel: str = "phone"  # "phone", or "web" for web, widget and test conversations
    direction: str = "inbound"
    external_number: str = ""
    agent_number: str = ""
    call_result: str = ""  # metadata.phone_call.call_result: "answered", "busy", …
    summary: str = ""
    title: str = ""
    outcome: str = ""
    analysis: dict[str, Any] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    # From the transcript, or from fields that survive `exclude_transcript`.
    caller_spoke: bool = False
    duration: int | None = None
    started_at: datetime | None = None
    termination_reason: str = ""
    dynamic_variables: dict[str, Any] = field(default_factory=dict)
    # The voice the conversation was told to speak with, when not the agent's own.
    voice_id: str = ""
    caller_name: str = ""
    caller_memories: str = ""
    # The person asked not to be called again (data collection `do_not_call`).
    do_not_call: bool = False
    # Every data-collection value by item id (the outcome and its details among them), as
    # the analysis gave it: a string, number or boolean; empty values are left out.
    collected: dict[str, Any] = field(default_factory=dict)
    # Evaluation criteria results by criterion id: "success", "failure" or "unknown".
    evaluation: dict[str, str] = field(default_factory=dict)
    failure_reason: str = ""  # call_initiation_failure: "busy", "no-answer", …
    sip_code: str = ""
    audio: bytes = b""  # post_call_audio: the MP3
    problems: tuple[str, ...] = ()

    @property
    def is_over(self) -> bool:
        """Whether the provider has the conversation's result ("done" or "failed")."""
        return self.status in ("done", "failed")

    @property
    def in_progress(self) -> bool:
        """Whether the conversation is still going on (or its analysis still running)."""
        return self.status in ("in-progress", "processing")


@dataclass(frozen=True)
class SentSms:
    """An SMS the provider accepted for delivery."""

    sid: str
    status: str


@dataclass(frozen=True)
class ProviderCredentials:
    """The accounts a provider client is built with: an agency's own, where it brought them.

    An empty field means "the install's": `get_provider` fills it from the environment.
    `own` names the fields that came from the agency (for messages that say where to fix
    a value).
    """

    elevenlabs_api_key: str = ""
    elevenlabs_phone_number_id: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_phone_number: str = ""
    own: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ConnectionCheck:
    """What one provider answered when asked whether Voqo's configuration works.

    `service` is "elevenlabs" or "twilio"; `ok` is True when the provider accepted the
    credentials and knows the configured phone number; `message` says what was found or
    what is wrong, in the provider's own words where it gave any. `inbound_sms_url` is
    where Twilio sends replies to the agency's number (None when not known).
    """

    service: str
    ok: bool
    message: str
    inbound_sms_url: str | None = None


# -- wire payloads (pure functions, shared by live and sandbox) -----------------

# API-created agents do not get end_call automatically; without it they cannot hang up.
END_CALL_TOOL: dict[str, Any] = {
    "type": "system",
    "name": "end_call",
    "description": "",
    "params": {"system_tool_type": "end_call"},
}


# What ElevenLabs sends a web client by default; "interruption" is what lets a caller cut in.
CLIENT_EVENTS = ["audio", "interruption", "user_transcript", "agent_response"]


def _system_tool(name: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "system", "name": name, "description": "", "params": params}


def behaviour_payload(behaviour: AgentBehaviour) -> dict[str, Any]:
    """The parts of `conversation_config` that `behaviour` sets, keyed like it.

    `agent.prompt` carries max_tokens and the two system tools; a tool switched off is sent
    as null, which removes it from an agent that had it (PATCH merges objects).
    """
    transfer = None
    if behaviour.transfer_number:
        transfer = _system_tool(
            "transfer_to_number",
            {
                "system_tool_type": "transfer_to_number",
                "transfers": [
                    {
                        "transfer_destination": {
                            "type": "phone",
                            "phone_number": behaviour.transfer_number,
                        },
                        "condition": behaviour.transfer_condition
                        or "When the caller asks to speak with a person.",
                        "transfer_type": "conference",
                    }
                ],
            },
        )
    voicemail = None
    if behaviour.voicemail_detection:
        voicemail = _system_tool(
            "voicemail_detection",
            {
                "system_tool_type": "voicemail_detection",
                "voicemail_message": behaviour.voicemail_message or None,
            },
        )
    return {
        "agent": {
            "prompt": {
                "max_tokens": behaviour.max_tokens,
                "built_in_tools": {
                    "transfer_to_number": transfer,
                    "voicemail_detection": voicemail,
                },
            }
        },
        "turn": {
            "turn_timeout": behaviour.turn_timeout,
            "silence_end_call_timeout": behaviour.silence_end_call_timeout,
        },
        "conversation": {
            "max_duration_seconds": behaviour.max_duration_seconds,
            "client_events": [
                event
                for event in CLIENT_EVENTS
                if behaviour.interruptions or event != "interruption"
            ],
        },
        "asr": {"keywords": list(behaviour.keywords)},
    }


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


def agent_payload(spec: AgentSpec) -> dict[str, Any]:
    """The body of `POST /v1/convai/agents/create` (and of the PATCH) for `spec`."""
    agent: dict[str, Any] = {
        "first_message": spec.first_message,
        "language": spec.language,
        "prompt": {
            "prompt": spec.prompt,
            "llm": spec.llm,
            "temperature": spec.temperature,
            "tool_ids": list(spec.tool_ids),
            "built_in_tools": {"end_call": copy.deepcopy(END_CALL_TOOL)},
            # Always sent, so detaching the last document clears it at ElevenLabs too.
            "knowledge_base": [
                {"type": ref.kind, "name": ref.name, "id": ref.document_id, "usage_mode": "auto"}
                for ref in spec.knowledge_base
            ],
            "rag": {"enabled": bool(spec.knowledge_base)},
        },
        "dynamic_variables": {
            "dynamic_variable_placeholders": dict(spec.dynamic_variable_placeholders),
        },
    }
    conversation_config: dict[str, Any] = {"agent": agent}
    if spec.voice_id:
        conversation_config["tts"] = {"voice_id": spec.voice_id}
    if spec.behaviour is not None:
        _merge(conversation_config, behaviour_payload(spec.behaviour))
    data_collection = (
        DEFAULT_DATA_COLLECTION if spec.data_collection is None else spec.data_collection
    )
    platform_settings: dict[str, Any] = {"data_collection": copy.deepcopy(data_collection)}
    if spec.evaluation_criteria is not None:
        platform_settings["evaluation"] = {"criteria": copy.deepcopy(spec.evaluation_criteria)}
    payload: dict[str, Any] = {
        "name": spec.name,
        "conversation_config": conversation_config,
        "platform_settings": {
            **platform_settings,
            "overrides": {
                # Inbound personalisation: the agent fetches dynamic variables from our
                # initiation webhook before answering (providers.md, initiation webhook).
                "enable_conversation_initiation_client_data_from_webhook": True,
                # Outbound calls and the initiation webhook may replace the first message,
                # and a scheduled call its prompt; an override that is not allowed here
                # makes the call fail.
                "conversation_config_override": {
                    "agent": {
                        "first_message": True,
                        "prompt": {"prompt": spec.allow_prompt_override},
                    },
                    # A caller's own voice (voices app) is chosen per conversation, never
                    # by changing the agent that overlapping calls share.
                    "tts": {"voice_id": True},
                },
            },
        },
    }
    if spec.tags:
        payload["tags"] = list(spec.tags)
    return payload


def tool_payload(spec: ToolSpec) -> dict[str, Any]:
    """The webhook tool config for `spec` (sent to `/v1/convai/tools` wrapped as `tool_config`)."""
    return {
        "type": "webhook",
        "name": spec.name,
        "description": spec.description,
        "response_timeout_secs": spec.response_timeout_secs,
        "api_schema": {
            "url": spec.url,
            "method": spec.method,
            "request_headers": {
                **spec.request_headers,
                **{
                    name: {"variable_name": variable}
                    for name, variable in spec.dynamic_variable_headers.items()
                },
            },
            "request_body_schema": copy.deepcopy(spec.body_schema),
        },
    }


# -- the interface --------------------------------------------------------------


class Provider(abc.ABC):
    """Everything Voqo asks of ElevenLabs and Twilio. Implementations: live, sandbox.

    Every method raises a `ProviderError` subclass on failure, never an SDK exception.
    """

    # The number `send_sms` sends from, when the implementation knows it.
    sms_from: str = ""

    @abc.abstractmethod
    def create_agent(self, spec: AgentSpec) -> str:
        """Create an agent; return its provider id."""

    @abc.abstractmethod
    def update_agent(self, agent_id: str, spec: AgentSpec) -> None:
        """Replace the agent's Voqo-managed configuration with `spec`."""

    @abc.abstractmethod
    def find_agent(self, *, name: str, tag: str) -> str | None:
        """The id of the provider's agent called `name` that carries `tag`, if there is one
        (to reconcile a create whose outcome was unknown before creating again)."""

    @abc.abstractmethod
    def delete_agent(self, agent_id: str) -> None:
        """Delete the agent. Deleting an agent that is already gone is not an error."""

    @abc.abstractmethod
    def create_tool(self, spec: ToolSpec) -> str:
        """Create a webhook tool; return its provider id (attach it via `AgentSpec.tool_ids`)."""

    @abc.abstractmethod
    def update_tool(self, tool_id: str, spec: ToolSpec) -> None:
        """Replace the tool's configuration with `spec`."""

    @abc.abstractmethod
    def delete_tool(self, tool_id: str) -> None:
        """Delete the tool. Deleting a tool that is already gone is not an error."""

    # knowledge base

    @abc.abstractmethod
    def create_knowledge_text(self, *, name: str, text: str) -> str:
        """Add a text document to the knowledge base; return its document id."""

    @abc.abstractmethod
    def create_knowledge_file(
        self, *, name: str, filename: str, content: bytes, content_type: str
    ) -> str:
        """Upload a file (PDF, DOCX, TXT, …) to the knowledge base; return its document id."""

    @abc.abstractmethod
    def create_knowledge_url(self, *, name: str, url: str) -> str:
        """Add a web page to the knowledge base (the provider fetches it); return its id."""

    @abc.abstractmethod
    def delete_knowledge_document(self, document_id: str) -> None:
        """Delete the document (also from agents using it). Already gone is not an error."""

    @abc.abstractmethod
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
        """Ask the provider to dial `to_number` with the agent from the registered number
        `phone_number_id` ("" = the install's ELEVENLABS_PHONE_NUMBER_ID), with `prompt`
        replacing the agent's own when given (the agent must allow it) and `voice_id`
        speaking instead of the agent's voice for this conversation only. Never retried
        automatically."""

    # phone numbers and voices

    @abc.abstractmethod
    def register_phone_number(self, registration: TwilioNumberRegistration) -> str:
        """Register a Twilio number with ElevenLabs; return its phone number id."""

    @abc.abstractmethod
    def assign_phone_number(self, phone_number_id: str, agent_id: str | None) -> None:
        """Make the agent (None: no agent) answer calls to the registered number."""

    @abc.abstractmethod
    def delete_phone_number(self, phone_number_id: str) -> None:
        """Remove the number from ElevenLabs. A number that is already gone is not an error."""

    @abc.abstractmethod
    def list_voices(self) -> list[Voice]:
        """The voices of the workspace, by name."""

    def voice_preview_url(self, voice_id: str) -> str:
        """Where a browser plays a short preview of the voice ("" when there is none): the
        voice's `preview_url` as the workspace's voice list gives it."""
        return next((v.preview_url for v in self.list_voices() if v.voice_id == voice_id), "")

    @abc.abstractmethod
    def clone_voice(
        self, *, name: str, samples: list[VoiceSampleFile], description: str = ""
    ) -> str:
        """Clone a voice from the samples (instant voice cloning); return its voice id."""

    @abc.abstractmethod
    def delete_voice(self, voice_id: str) -> None:
        """Delete a voice of the workspace. A voice that is already gone is not an error."""

    @abc.abstractmethod
    def get_conversation(self, conversation_id: str) -> PostCallEvent:
        """The conversation, parsed as its post-call transcription event would be."""

    @abc.abstractmethod
    def get_conversation_audio(self, conversation_id: str) -> bytes:
        """The conversation's recording (MP3 bytes)."""

    @abc.abstractmethod
    def send_sms(
        self, *, to: str, body: str, status_callback: str | None, from_number: str | None = None
    ) -> SentSms:
        """Send an SMS from `from_number` (E.164), else from the install's number."""

    @abc.abstractmethod
    def check_connection(self) -> list[ConnectionCheck]:
        """Ask each provider whether the configured keys and phone number work (read-only).

        Never raises a `ProviderError`: failures are reported in the checks.
        """
