"""The real providers, through their official SDKs (elevenlabs 2.78.0, twilio 9.13.0).

Everything SDK-shaped stays in this module: requests are built from `base.agent_payload`
and `base.tool_payload`, SDK exceptions become `ProviderError` subclasses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import requests
import urllib3
from django.conf import settings
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from elevenlabs.core.parse_error import ParsingError
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client as TwilioClient

from .base import (
    AgentSpec,
    ConnectionCheck,
    OutboundCall,
    PostCallEvent,
    Provider,
    ProviderAuthError,
    ProviderCredentials,
    ProviderError,
    ProviderInvalidRequest,
    ProviderNotFound,
    ProviderRetryableError,
    SentSms,
    ToolSpec,
    TwilioNumberRegistration,
    Voice,
    VoiceSampleFile,
    agent_payload,
    tool_payload,
)
from .credentials import CREDENTIAL_SETTINGS, credentials_for
from .elevenlabs_webhooks import parse_conversation

ELEVENLABS_DEFAULT_BASE_URL = "https://api.elevenlabs.io"
CREDENTIAL_LABELS = {
    "elevenlabs_api_key": "ElevenLabs API key",
    "elevenlabs_phone_number_id": "ElevenLabs phone number id",
    "twilio_account_sid": "Twilio account SID",
    "twilio_auth_token": "Twilio auth token",
    "twilio_phone_number": "Twilio SMS sender",
}
TWILIO_DEFAULT_BASE_URL = "https://api.twilio.com"

T = TypeVar("T")


def error_class_for_status(status_code: int | None) -> type[ProviderError]:
    """Which of our exceptions an HTTP error status means."""
    if status_code in (401, 403):
        return ProviderAuthError
    if status_code == 404:
        return ProviderNotFound
    # The same set the ElevenLabs SDK itself considers transient.
    if status_code is not None and (status_code >= 500 or status_code in (408, 409, 429)):
        return ProviderRetryableError
    if status_code is not None and 400 <= status_code < 500:
        return ProviderInvalidRequest
    return ProviderError


def _from_status(
    status_code: int | None, message: str, *, code: str | None, provider: str
) -> ProviderError:
    error_class = error_class_for_status(status_code)
    return error_class(
        message,
        status_code=status_code,
        code=code,
        provider=provider,
        # A 5xx may come after the provider acted (e.g. the call is already ringing).
        outcome_unknown=status_code is not None and status_code >= 500,
    )


# -- ElevenLabs -------------------------------------------------------------------


def _elevenlabs_message(body: Any, status_code: int | None) -> tuple[str, str | None]:
    """(message, code) out of an ElevenLabs error body.

    Shapes seen: `{"detail": {"status": "invalid_api_key", "message": "..."}}`,
    422 `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`, `{"detail": "..."}`, text.
    """
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return (body.strip() or f"HTTP {status_code}"), None
    if isinstance(body, dict):
        detail = body.get("detail", body)
        if isinstance(detail, dict):
            message = detail.get("message") or detail.get("msg") or json.dumps(detail)
            code = detail.get("status") or detail.get("code")
            return str(message), (str(code) if code else None)
        if isinstance(detail, list):
            parts = []
            for item in detail:
                if isinstance(item, dict):
                    location = ".".join(str(part) for part in item.get("loc", []) if part != "body")
                    text = item.get("msg") or item.get("message") or json.dumps(item)
                    parts.append(f"{location}: {text}" if location else str(text))
                else:
                    parts.append(str(item))
            return "; ".join(parts) or f"HTTP {status_code}", None
        if detail:
            return str(detail), None
    return f"HTTP {status_code}", None


@contextmanager
def _elevenlabs_errors() -> Iterator[None]:
    """Translate ElevenLabs SDK and httpx exceptions into ours."""
    try:
        yield
    except ApiError as exc:  # UnprocessableEntityError and friends are subclasses
        message, code = _elevenlabs_message(exc.body, exc.status_code)
        if exc.status_code is not None and 200 <= exc.status_code < 300:
            # A 2xx whose body the SDK could not read: the request may well have worked.
            raise ProviderError(
                f"Unreadable response: {message}",
                status_code=exc.status_code,
                provider="elevenlabs",
                outcome_unknown=True,
            ) from exc
        raise _from_status(exc.status_code, message, code=code, provider="elevenlabs") from exc
    except ParsingError as exc:
        raise ProviderError(
            f"Unexpected response shape: {exc.cause}",
            status_code=exc.status_code,
            provider="elevenlabs",
            outcome_unknown=True,
        ) from exc
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        # Nothing reached the provider.
        raise ProviderRetryableError(
            f"Could not connect to ElevenLabs: {exc}", provider="elevenlabs"
        ) from exc
    except httpx.TimeoutException as exc:
        raise ProviderRetryableError(
            f"ElevenLabs did not answer in time: {exc}", provider="elevenlabs", outcome_unknown=True
        ) from exc
    except httpx.HTTPError as exc:  # dropped connection, protocol error
        raise ProviderRetryableError(
            f"ElevenLabs connection failed: {exc}", provider="elevenlabs", outcome_unknown=True
        ) from exc


# -- Twilio -----------------------------------------------------------------------


class RebasedTwilioHttpClient(TwilioHttpClient):
    """The SDK's HTTP client, sending `https://api.twilio.com/...` to `base_url` instead.

    Twilio's SDK has no base-URL option; this is how tests point it at the fake server.
    """

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        if self.base_url != TWILIO_DEFAULT_BASE_URL and url.startswith(TWILIO_DEFAULT_BASE_URL):
            url = self.base_url + url[len(TWILIO_DEFAULT_BASE_URL) :]
        return super().request(method, url, *args, **kwargs)


_SDK_MESSAGE_PREFIX = re.compile(r"^Unable to [^:]*: ")


def _connection_never_made(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether the request never left (refused, unresolvable, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


@contextmanager
def _twilio_errors() -> Iterator[None]:
    """Translate Twilio SDK and requests exceptions into ours."""
    try:
        yield
    except TwilioRestException as exc:
        # The SDK prefixes the provider's message with "Unable to create record: ".
        message = _SDK_MESSAGE_PREFIX.sub("", str(exc.msg or "")) or f"HTTP {exc.status}"
        # Without a code in the body the SDK puts the HTTP status there; that is no error code.
        code = str(exc.code) if exc.code not in (None, exc.status) else None
        raise _from_status(exc.status, message, code=code, provider="twilio") from exc
    except TwilioServiceException as exc:  # RFC 9457 bodies; not a TwilioRestException
        message = exc.detail or exc.title or f"HTTP {exc.status}"
        code = str(exc.code) if exc.code not in (None, exc.status) else None
        raise _from_status(exc.status, message, code=code, provider="twilio") from exc
    except requests.exceptions.ConnectionError as exc:
        if _connection_never_made(exc):
            raise ProviderRetryableError(
                f"Could not connect to Twilio: {exc}", provider="twilio"
            ) from exc
        # The request went out and the connection dropped before the answer: Twilio may
        # have accepted it.
        raise ProviderRetryableError(
            f"Twilio dropped the connection: {exc}", provider="twilio", outcome_unknown=True
        ) from exc
    except requests.exceptions.Timeout as exc:
        raise ProviderRetryableError(
            f"Twilio did not answer in time: {exc}", provider="twilio", outcome_unknown=True
        ) from exc
    except requests.exceptions.RequestException as exc:
        raise ProviderRetryableError(
            f"Twilio connection failed: {exc}", provider="twilio", outcome_unknown=True
        ) from exc


# -- the provider -----------------------------------------------------------------


class LiveProvider(Provider):
    """ElevenLabs Agents for calls, Twilio for SMS, with `credentials` (default: the
    install's, from Django settings; `get_provider(agency)` passes an agency's).

    `timeout` / `twilio_timeout` are per-request socket timeouts in seconds.
    `max_retries` applies to idempotent requests only (GET, PATCH, DELETE) and is done by
    the ElevenLabs SDK (429/5xx, with backoff); requests that create something (agents,
    tools, calls, SMS) are sent exactly once and our own task retries decide.
    """

    def __init__(
        self,
        credentials: ProviderCredentials | None = None,
        *,
        timeout: float = 15.0,
        twilio_timeout: float = 10.0,
        max_retries: int = 2,
    ) -> None:
        if credentials is None:
            credentials = credentials_for(None)
        self.credentials = credentials
        self.phone_number_id: str = credentials.elevenlabs_phone_number_id
        self.sms_from: str = credentials.twilio_phone_number
        self._elevenlabs = ElevenLabs(
            # Always pass the key: the SDK's own default reads the environment at import time.
            api_key=credentials.elevenlabs_api_key,
            base_url=(settings.ELEVENLABS_BASE_URL or ELEVENLABS_DEFAULT_BASE_URL).rstrip("/"),
            timeout=timeout,
        )
        self._twilio = TwilioClient(
            credentials.twilio_account_sid,
            credentials.twilio_auth_token,
            http_client=RebasedTwilioHttpClient(
                settings.TWILIO_BASE_URL or TWILIO_DEFAULT_BASE_URL, timeout=twilio_timeout
            ),
        )
        self._send_once: dict[str, Any] = {"max_retries": 0}
        self._idempotent: dict[str, Any] = {"max_retries": max_retries}

    def _named(self, field: str) -> str:
        """Where a credential is set, for messages: the agency's page or the environment."""
        if field in self.credentials.own:
            return f"the agency's {CREDENTIAL_LABELS[field]}"
        return CREDENTIAL_SETTINGS[field]

    def _elevenlabs_call(self, send: Callable[[], T]) -> T:
        with _elevenlabs_errors():
            return send()

    # agents

    def create_agent(self, spec: AgentSpec) -> str:
        """Create the agent at ElevenLabs; return its agent id."""
        convai = self._elevenlabs.conversational_ai
        created = self._elevenlabs_call(
            lambda: convai.agents.create(**agent_payload(spec), request_options=self._send_once)
        )
        return created.agent_id

    def update_agent(self, agent_id: str, spec: AgentSpec) -> None:
        """PATCH the agent with the whole Voqo-managed configuration."""
        convai = self._elevenlabs.conversational_ai
        self._elevenlabs_call(
            lambda: convai.agents.update(
                agent_id, **agent_payload(spec), request_options=self._idempotent
            )
        )

    def find_agent(self, *, name: str, tag: str) -> str | None:
        """Search the agents by name (every page), match the tag; None when none has it."""
        convai = self._elevenlabs.conversational_ai
        cursor = None
        while True:
            page = self._elevenlabs_call(
                lambda cursor=cursor: convai.agents.list(
                    search=name, page_size=100, cursor=cursor, request_options=self._idempotent
                )
            )
            for agent in page.agents:
                if agent.name == name and tag in (agent.tags or []):
                    return agent.agent_id
            if not page.has_more or not page.next_cursor:
                return None
            cursor = page.next_cursor

    def delete_agent(self, agent_id: str) -> None:
        """Delete the agent; an agent that is already gone counts as deleted."""
        convai = self._elevenlabs.conversational_ai
        try:
            self._elevenlabs_call(
                lambda: convai.agents.delete(agent_id, request_options=self._idempotent)
            )
        except ProviderNotFound:
            pass

    # tools

    def create_tool(self, spec: ToolSpec) -> str:
        """Create the webhook tool; return its tool id."""
        convai = self._elevenlabs.conversational_ai
        created = self._elevenlabs_call(
            lambda: convai.tools.create(
                request={"tool_config": tool_payload(spec)}, request_options=self._send_once
            )
        )
        return created.id

    def update_tool(self, tool_id: str, spec: ToolSpec) -> None:
        """PATCH the tool with the whole configuration of `spec`."""
        convai = self._elevenlabs.conversational_ai
        self._elevenlabs_call(
            lambda: convai.tools.update(
                tool_id,
                request={"tool_config": tool_payload(spec)},
                request_options=self._idempotent,
            )
        )

    def delete_tool(self, tool_id: str) -> None:
        """Delete the tool; a tool that is already gone counts as deleted."""
        convai = self._elevenlabs.conversational_ai
        try:
            self._elevenlabs_call(
                lambda: convai.tools.delete(tool_id, request_options=self._idempotent)
            )
        except ProviderNotFound:
            pass

    # knowledge base (creating is sent once; ElevenLabs has no idempotency key for it)

    def create_knowledge_text(self, *, name: str, text: str) -> str:
        """Add `text` as a knowledge-base document; return its id."""
        documents = self._elevenlabs.conversational_ai.knowledge_base.documents
        created = self._elevenlabs_call(
            lambda: documents.create_from_text(
                text=text, name=name, request_options=self._send_once
            )
        )
        return created.id

    def create_knowledge_file(
        self, *, name: str, filename: str, content: bytes, content_type: str
    ) -> str:
        """Upload the file as a knowledge-base document (multipart); return its id."""
        documents = self._elevenlabs.conversational_ai.knowledge_base.documents
        created = self._elevenlabs_call(
            lambda: documents.create_from_file(
                file=(filename, content, content_type),
                name=name,
                request_options=self._send_once,
            )
        )
        return created.id

    def create_knowledge_url(self, *, name: str, url: str) -> str:
        """Have ElevenLabs fetch `url` into a knowledge-base document; return its id."""
        documents = self._elevenlabs.conversational_ai.knowledge_base.documents
        created = self._elevenlabs_call(
            lambda: documents.create_from_url(url=url, name=name, request_options=self._send_once)
        )
        return created.id

    def delete_knowledge_document(self, document_id: str) -> None:
        """Delete the document everywhere (force: agents still using it lose it)."""
        documents = self._elevenlabs.conversational_ai.knowledge_base.documents
        try:
            self._elevenlabs_call(
                lambda: documents.delete(document_id, force=True, request_options=self._idempotent)
            )
        except ProviderNotFound:
            pass

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
        """Dial `to_number` from the registered number `phone_number_id` (else the install's
        ELEVENLABS_PHONE_NUMBER_ID); sent exactly once, never retried."""
        client_data: dict[str, Any] = {"dynamic_variables": dict(dynamic_variables)}
        agent_override: dict[str, Any] = {}
        if first_message is not None:
            agent_override["first_message"] = first_message
        if prompt is not None:
            agent_override["prompt"] = {"prompt": prompt}
        override: dict[str, Any] = {}
        if agent_override:
            override["agent"] = agent_override
        if voice_id:
            override["tts"] = {"voice_id": voice_id}
        if override:
            client_data["conversation_config_override"] = override
        convai = self._elevenlabs.conversational_ai
        started = self._elevenlabs_call(
            lambda: convai.twilio.outbound_call(
                agent_id=agent_id,
                agent_phone_number_id=phone_number_id or self.phone_number_id,
                to_number=to_number,
                conversation_initiation_client_data=client_data,
                # An SDK retry after a 5xx or 429 could ring the same person twice.
                request_options=self._send_once,
            )
        )
        if not started.success:
            raise ProviderInvalidRequest(
                started.message or "ElevenLabs did not start the call",
                status_code=200,
                provider="elevenlabs",
            )
        if not started.conversation_id:
            # Started, but we cannot track it: someone has to look before anyone re-dials.
            raise ProviderError(
                f"Call started without a conversation id: {started.message}",
                status_code=200,
                provider="elevenlabs",
                outcome_unknown=True,
            )
        return OutboundCall(conversation_id=started.conversation_id, call_sid=started.call_sid)

    # phone numbers and voices

    def register_phone_number(self, registration: TwilioNumberRegistration) -> str:
        """Import the Twilio number into ElevenLabs; return its phone number id."""
        convai = self._elevenlabs.conversational_ai
        created = self._elevenlabs_call(
            lambda: convai.phone_numbers.create(
                request={
                    "provider": "twilio",
                    "phone_number": registration.number,
                    "label": registration.label,
                    "sid": registration.account_sid,
                    "token": registration.auth_token,
                    "supports_inbound": registration.supports_inbound,
                    "supports_outbound": registration.supports_outbound,
                },
                request_options=self._send_once,
            )
        )
        return created.phone_number_id

    def assign_phone_number(self, phone_number_id: str, agent_id: str | None) -> None:
        """PATCH the number's agent (None unassigns it)."""
        convai = self._elevenlabs.conversational_ai
        self._elevenlabs_call(
            lambda: convai.phone_numbers.update(
                phone_number_id, agent_id=agent_id, request_options=self._idempotent
            )
        )

    def delete_phone_number(self, phone_number_id: str) -> None:
        """Delete the number at ElevenLabs; a number that is already gone counts as deleted."""
        convai = self._elevenlabs.conversational_ai
        try:
            self._elevenlabs_call(
                lambda: convai.phone_numbers.delete(
                    phone_number_id, request_options=self._idempotent
                )
            )
        except ProviderNotFound:
            pass

    def list_voices(self) -> list[Voice]:
        """The workspace's voices (GET /v1/voices), by name."""
        answer = self._elevenlabs_call(
            lambda: self._elevenlabs.voices.get_all(request_options=self._idempotent)
        )
        voices = [
            Voice(
                voice_id=voice.voice_id,
                name=voice.name or voice.voice_id,
                accent=str((voice.labels or {}).get("accent") or ""),
                gender=str((voice.labels or {}).get("gender") or ""),
                description=str((voice.labels or {}).get("description") or voice.description or ""),
                preview_url=voice.preview_url or "",
            )
            for voice in answer.voices
        ]
        return sorted(voices, key=lambda voice: voice.name.lower())

    def clone_voice(
        self, *, name: str, samples: list[VoiceSampleFile], description: str = ""
    ) -> str:
        """Instant voice cloning (POST /v1/voices/add, multipart); sent once, never retried."""
        files = [(sample.filename, sample.content, sample.content_type) for sample in samples]
        created = self._elevenlabs_call(
            lambda: self._elevenlabs.voices.ivc.create(
                name=name,
                files=files,
                description=description or None,
                request_options=self._send_once,
            )
        )
        return created.voice_id

    def delete_voice(self, voice_id: str) -> None:
        """Delete the voice (DELETE /v1/voices/{voice_id}); already gone is not an error."""
        try:
            self._elevenlabs_call(
                lambda: self._elevenlabs.voices.delete(voice_id, request_options=self._idempotent)
            )
        except ProviderNotFound:
            pass

    def get_conversation(self, conversation_id: str) -> PostCallEvent:
        """The conversation (details, transcript, analysis), parsed like its webhook event."""
        convai = self._elevenlabs.conversational_ai
        conversation = self._elevenlabs_call(
            lambda: convai.conversations.get(conversation_id, request_options=self._idempotent)
        )
        # The SDK's models keep unknown fields and aliases, so this is the JSON as sent.
        return parse_conversation(conversation.dict())

    def get_conversation_audio(self, conversation_id: str) -> bytes:
        """The conversation's MP3 recording."""
        convai = self._elevenlabs.conversational_ai
        # The SDK streams: errors surface while iterating, so join inside the translation.
        return self._elevenlabs_call(
            lambda: b"".join(
                convai.conversations.audio.get(conversation_id, request_options=self._idempotent)
            )
        )

    # SMS

    def send_sms(
        self, *, to: str, body: str, status_callback: str | None, from_number: str | None = None
    ) -> SentSms:
        """Send `body` to `to` from `from_number`, else TWILIO_PHONE_NUMBER."""
        kwargs: dict[str, Any] = {"to": to, "from_": from_number or self.sms_from, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        with _twilio_errors():
            message = self._twilio.messages.create(**kwargs)
        return SentSms(sid=message.sid, status=str(message.status))

    # connection check (read-only; sent once: a person is waiting on the answer)

    def check_connection(self) -> list[ConnectionCheck]:
        """Read the imported phone number from ElevenLabs, the account and number from Twilio."""
        return [self._check_elevenlabs(), self._check_twilio()]

    def _check_elevenlabs(self) -> ConnectionCheck:
        if not self.credentials.elevenlabs_api_key:
            return ConnectionCheck("elevenlabs", False, "ELEVENLABS_API_KEY is not set.")
        convai = self._elevenlabs.conversational_ai
        try:
            if not self.phone_number_id:
                self._elevenlabs_call(
                    lambda: convai.agents.list(page_size=1, request_options=self._send_once)
                )
                return ConnectionCheck(
                    "elevenlabs",
                    False,
                    f"The API key works, but {self._named('elevenlabs_phone_number_id')} is "
                    "not set: outbound calls cannot start.",
                )
            number = self._elevenlabs_call(
                lambda: convai.phone_numbers.get(
                    self.phone_number_id, request_options=self._send_once
                )
            )
        except ProviderNotFound:
            return ConnectionCheck(
                "elevenlabs",
                False,
                f"The API key works, but ElevenLabs has no phone number with the id "
                f"{self.phone_number_id} ({self._named('elevenlabs_phone_number_id')}).",
            )
        except ProviderError as error:
            return ConnectionCheck("elevenlabs", False, _check_failure("ElevenLabs", error))
        label = f" ({number.label})" if getattr(number, "label", "") else ""
        if getattr(number, "supports_outbound", True) is False:
            return ConnectionCheck(
                "elevenlabs",
                False,
                f"Phone number {number.phone_number}{label} cannot place outbound calls.",
            )
        return ConnectionCheck(
            "elevenlabs", True, f"API key accepted; phone number {number.phone_number}{label}."
        )

    def _check_twilio(self) -> ConnectionCheck:
        account_sid = self.credentials.twilio_account_sid
        if not account_sid or not self.credentials.twilio_auth_token:
            return ConnectionCheck(
                "twilio", False, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must both be set."
            )
        try:
            with _twilio_errors():
                account = self._twilio.api.v2010.accounts(account_sid).fetch()
            if account.status != "active":
                return ConnectionCheck(
                    "twilio", False, f"The Twilio account is {account.status}, not active."
                )
            if not self.sms_from:
                return ConnectionCheck(
                    "twilio",
                    False,
                    f"The credentials work, but {self._named('twilio_phone_number')} is not set: "
                    "no SMS can be sent.",
                )
            with _twilio_errors():
                numbers = self._twilio.incoming_phone_numbers.list(
                    phone_number=self.sms_from, limit=1
                )
        except ProviderError as error:
            return ConnectionCheck("twilio", False, _check_failure("Twilio", error))
        if not numbers:
            return ConnectionCheck(
                "twilio",
                False,
                f"The credentials work, but {self.sms_from} "
                f"({self._named('twilio_phone_number')}) is not a number of this Twilio account.",
            )
        return ConnectionCheck(
            "twilio",
            True,
            f"Credentials accepted; {self.sms_from} belongs to the account "
            f"{account.friendly_name or account_sid}.",
            inbound_sms_url=numbers[0].sms_url or "",
        )


def _check_failure(service: str, error: ProviderError) -> str:
    if isinstance(error, ProviderAuthError):
        return f"{service} refused the credentials: {error.message}"
    return f"{service} could not be checked: {error.message}"
