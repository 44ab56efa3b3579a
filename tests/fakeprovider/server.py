"""A fake ElevenLabs + Twilio HTTP server speaking the real wire format (like stripe-mock).

Tests point the real SDKs at `server.url` (ELEVENLABS_BASE_URL, TWILIO_BASE_URL) and then
assert on `server.requests`, seed `add_conversation()`, or inject failures and latency.

It is strict like the real services: every ElevenLabs request body is checked against the
official OpenAPI (../shared/reference/elevenlabs-openapi.json, see `openapi.py`) and refused
with FastAPI's 422 before anything is stored; undocumented paths answer 404, undocumented
methods 405. Answers follow the documented response schemas (GetConversationResponseModel
and friends). Twilio's Messages create call is checked for its required form parameters
and refused with Twilio's error JSON. Injected failures (`fail_next`) skip all checks.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import openapi

DEFAULT_ELEVENLABS_API_KEY = "test-el-key"
DEFAULT_TWILIO_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_TWILIO_AUTH_TOKEN = "test-twilio-token"

# A few MPEG frame headers behind an ID3 tag: enough to look like an MP3 to a sniffer.
FAKE_MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413

# The Twilio number imported into ElevenLabs that outbound calls come from.
DEFAULT_AGENT_NUMBER = "+61280001234"
AGENT_CREATE_SCHEMA = "Body_Create_Agent_v1_convai_agents_create_post"
CONVERSATION_SCHEMA = "GetConversationResponseModel"
# `access_info` as the API documents its example (ResourceAccessInfo).
ACCESS_INFO = {
    "is_creator": True,
    "creator_name": "John Doe",
    "creator_email": "john.doe@example.com",
    "role": "admin",
}

ELEVENLABS_PREFIX = "/v1/"
TWILIO_PREFIX = "/2010-04-01/"

# Twilio error codes tests are likely to inject, with Twilio's own wording.
TWILIO_ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21211: "Invalid 'To' Phone Number",
    21212: "Invalid 'From' Phone Number",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
# Twilio takes phone numbers in E.164; a sender may also be an alphanumeric sender ID.
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
_TWILIO_DEFAULT_CODES = {400: 21211, 401: 20003, 404: 20404, 429: 20429}

_ELEVENLABS_DEFAULT_DETAILS = {
    400: ("invalid_request", "The request is invalid."),
    401: ("invalid_api_key", "Invalid API key"),
    403: ("missing_permissions", "The API key does not have the required permissions."),
    404: ("not_found", "The requested resource was not found."),
    409: ("conflict", "The resource is being modified by another request."),
    429: ("too_many_concurrent_requests", "Too many concurrent requests for your plan."),
}


def _hex(length: int = 32) -> str:
    return secrets.token_hex(length // 2)


def elevenlabs_error_body(status: int, message: str | None = None, code: str | None = None) -> Any:
    """An error body as ElevenLabs sends it for `status`."""
    if status == 422:
        return {
            "detail": [
                {"loc": ["body"], "msg": message or "Field required", "type": code or "missing"}
            ]
        }
    default_code, default_message = _ELEVENLABS_DEFAULT_DETAILS.get(
        status,
        ("internal_error", "An internal server error occurred.")
        if status >= 500
        else ("invalid_request", "The request is invalid."),
    )
    return {"detail": {"status": code or default_code, "message": message or default_message}}


def twilio_error_body(status: int, code: int | None = None, message: str | None = None) -> dict:
    """An error body in Twilio's legacy JSON shape, which the SDK turns into TwilioRestException."""
    code = code or _TWILIO_DEFAULT_CODES.get(status, 20500 if status >= 500 else 21211)
    return {
        "code": code,
        "message": message or TWILIO_ERROR_MESSAGES.get(code, "Error"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _deep_merge(target: dict, changes: dict) -> dict:
    """PATCH semantics as we assume them: nested objects merge, lists and scalars replace."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


@dataclass
class RecordedRequest:
    """One request as the fake server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    json: Any = None
    form: dict[str, str] | None = None  # last value of each field

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class _Injection:
    method: str
    path_prefix: str
    status: int
    body: Any
    headers: dict[str, str]
    times: int


@dataclass
class _Response:
    status: int
    body: Any = None  # dict/list → JSON, bytes → as is, None → empty
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection without answering (the request was handled all the same).
    drop: bool = False


class FakeProviderServer:
    """Fake ElevenLabs and Twilio APIs on 127.0.0.1 (port chosen by the OS).

    Use as a context manager or call `start()` / `stop()`.
    """

    def __init__(
        self,
        *,
        elevenlabs_api_key: str = DEFAULT_ELEVENLABS_API_KEY,
        twilio_account_sid: str = DEFAULT_TWILIO_ACCOUNT_SID,
        twilio_auth_token: str = DEFAULT_TWILIO_AUTH_TOKEN,
    ) -> None:
        self.elevenlabs_api_key = elevenlabs_api_key
        self.twilio_account_sid = twilio_account_sid
        self.twilio_auth_token = twilio_auth_token
        # Further workspaces and accounts (agencies that bring their own): add_account().
        self.other_elevenlabs_api_keys: set[str] = set()
        self.other_twilio_accounts: dict[str, str] = {}  # account SID → auth token
        self.agent_number = DEFAULT_AGENT_NUMBER

        self.requests: list[RecordedRequest] = []
        self.agents: dict[str, dict] = {}
        self.tools: dict[str, dict] = {}
        # Knowledge-base documents by id: {"id", "name", "type", "text"|"file"|"url", …}.
        self.knowledge_documents: dict[str, dict] = {}
        self.conversations: dict[str, dict] = {}
        self.audio: dict[str, bytes] = {}
        self.outbound_calls: list[dict] = []  # {"conversation_id", "call_sid", "request"}
        self.messages: dict[str, dict] = {}  # Twilio message resources by sid
        self.opted_out_numbers: set[str] = set()  # SMS to these get Twilio error 21610
        self.phone_numbers: dict[str, dict] = {}  # ElevenLabs imported numbers by id
        # The Twilio credentials each imported number was registered with, by id.
        self.phone_number_credentials: dict[str, dict] = {}
        self.voices: dict[str, dict] = {}  # the workspace's voices by id (GET /v1/voices)
        self.voice_samples: dict[str, list[bytes]] = {}  # cloned voices' samples by voice id
        self.twilio_numbers: dict[str, dict] = {}  # Twilio incoming numbers by E.164 number
        self.twilio_account_status = "active"

        self.latency: float = 0.0  # seconds added to every response
        # Requests being handled right now, and the most ever at once, per path (benchmarks
        # and tests use it to prove a concurrency cap holds at the provider).
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self._path_latency: list[tuple[str | None, str, float]] = []
        self._injections: list[_Injection] = []
        self._drops: list[list] = []  # [method, path_prefix, times left]
        # Calls that end by themselves (end_calls_after): each sends its signed post-call
        # webhook, round-robin over the URLs, as ElevenLabs does when a call hangs up.
        self.call_seconds: float | None = None
        self.post_call_urls: list[str] = []
        self.post_call_secret = ""
        self.live_calls = 0  # dialled (request received) and not yet ended
        self.max_live_calls = 0
        # One entry per outbound call that ended: {"to", "conversation_id", "dialled_at",
        # "ended_at", "webhook_url", "webhook_status"} (times from time.time()).
        self.ended_calls: list[dict] = []
        self._webhooks_sent = 0
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:54321` (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("FakeProviderServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeProviderServer:
        openapi.load_document()  # no document, no server: say so now, not on a request
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- test controls -------------------------------------------------------------

    def requests_to(
        self, method: str | None = None, path_prefix: str = ""
    ) -> list[RecordedRequest]:
        """Recorded requests with this method (any if None) whose path starts with `path_prefix`."""
        with self._lock:
            return [
                request
                for request in self.requests
                if (method is None or request.method == method.upper())
                and request.path.startswith(path_prefix)
            ]

    def last_request(self, method: str | None = None, path_prefix: str = "") -> RecordedRequest:
        matching = self.requests_to(method, path_prefix)
        if not matching:
            raise AssertionError(f"no {method or 'any'} request to {path_prefix!r}")
        return matching[-1]

    def fail_next(
        self,
        method: str,
        path_prefix: str,
        status: int,
        body: Any = None,
        times: int = 1,
        *,
        code: int | str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `times` matching requests with `status` instead of handling them.

        Without `body`, the provider's own error shape is used (`code`/`message` fill it:
        a Twilio error code such as 21610, an ElevenLabs `detail.status`). Any status works,
        so `fail_next("POST", path, 200, {"success": False, ...})` fakes odd answers too.
        """
        if body is None:
            if path_prefix.startswith(TWILIO_PREFIX):
                body = twilio_error_body(status, int(code) if code else None, message)
            else:
                body = elevenlabs_error_body(status, message, str(code) if code else None)
        with self._lock:
            self._injections.append(
                _Injection(method.upper(), path_prefix, status, body, headers or {}, times)
            )

    def drop_after_handling(self, method: str, path_prefix: str, times: int = 1) -> None:
        """Handle the next `times` matching requests (a create creates), then close the
        connection without an answer: the client cannot tell whether it worked."""
        with self._lock:
            self._drops.append([method.upper(), path_prefix, times])

    def _take_drop(self, method: str, path: str) -> bool:
        with self._lock:
            for drop in self._drops:
                if drop[0] == method and path.startswith(drop[1]):
                    drop[2] -= 1
                    if drop[2] <= 0:
                        self._drops.remove(drop)
                    return True
        return False

    def set_latency(self, seconds: float, method: str | None = None, path_prefix: str = "") -> None:
        """Delay responses to matching requests by `seconds` (on top of `latency`)."""
        with self._lock:
            self._path_latency.append((method.upper() if method else None, path_prefix, seconds))

    def end_calls_after(self, seconds: float, *, webhook_urls: list[str], secret: str) -> None:
        """Every outbound call placed from now on ends `seconds` after it is dialled, then its
        `post_call_transcription` webhook (signed with `secret`) goes to the next of
        `webhook_urls` in turn. `live_calls`/`max_live_calls` count calls from the dial
        request until they end; `ended_calls` records each one."""
        with self._lock:
            self.call_seconds = seconds
            self.post_call_urls = list(webhook_urls)
            self.post_call_secret = secret

    def _call_dialled(self) -> None:
        with self._lock:
            self.live_calls += 1
            self.max_live_calls = max(self.max_live_calls, self.live_calls)

    def _end_call(self, conversation_id: str, dialled_at: float) -> None:
        """Hang up: the conversation is done, then its post-call webhook is sent (retried a
        few times on failure, as ElevenLabs retries)."""
        from .signing import post_signed_elevenlabs_webhook

        with self._lock:
            conversation = self.conversations[conversation_id]
            conversation["status"] = "done"
            conversation["metadata"].update(
                accepted_time_unix_secs=int(dialled_at),
                call_duration_secs=max(1, round(self.call_seconds or 0)),
                termination_reason="end_call tool was called.",
            )
            conversation["metadata"]["phone_call"]["call_result"] = "answered"
            conversation["transcript"] = [
                {
                    "role": "agent",
                    "message": "Hi, it's about the open home.",
                    "time_in_call_secs": 0,
                },
                {"role": "user", "message": "Thanks, not this week.", "time_in_call_secs": 1},
            ]
            conversation["analysis"] = {
                "call_successful": "success",
                "transcript_summary": "The caller heard about the open home.",
                "call_summary_title": "Open home call",
                "evaluation_criteria_results": {},
                "data_collection_results": {},
            }
            self.live_calls -= 1
            ended_at = time.time()
            url = self.post_call_urls[self._webhooks_sent % len(self.post_call_urls)]
            self._webhooks_sent += 1
            event = {
                "type": "post_call_transcription",
                "event_timestamp": int(ended_at),
                "data": copy.deepcopy(conversation),
            }
            record = {
                "to": conversation["metadata"]["phone_call"]["external_number"],
                "conversation_id": conversation_id,
                "dialled_at": dialled_at,
                "ended_at": ended_at,
                "webhook_url": url,
                "webhook_status": None,
            }
            self.ended_calls.append(record)
        for attempt in range(5):
            try:
                status = post_signed_elevenlabs_webhook(url, event, self.post_call_secret).status
            except OSError:
                status = 0
            record["webhook_status"] = status
            if status == 200:
                return
            time.sleep(0.5 * (attempt + 1))

    def add_conversation(self, conversation: dict) -> dict:
        """Store a conversation for `GET /v1/convai/conversations/{id}`.

        Accepts the conversation itself or a whole post-call event (its `data` is stored).
        Returns the stored conversation. Raises ValueError when it is not shaped like the
        documented GetConversationResponseModel, since the real API never answers so.
        """
        data = (
            conversation["data"]
            if "type" in conversation and "data" in conversation
            else conversation
        )
        if errors := openapi.component_errors(CONVERSATION_SCHEMA, data, location="conversation"):
            problems = "; ".join(
                ".".join(str(part) for part in error["loc"]) + f": {error['msg']}"
                for error in errors
            )
            raise ValueError(f"Not a conversation as ElevenLabs documents it: {problems}")
        data = copy.deepcopy(data)
        with self._lock:
            self.conversations[data["conversation_id"]] = data
        return data

    def add_audio(self, conversation_id: str, audio: bytes) -> None:
        """Audio served for the conversation (default: a tiny fake MP3)."""
        with self._lock:
            self.audio[conversation_id] = audio

    def opt_out(self, number: str) -> None:
        """Make Twilio refuse SMS to `number` with error 21610, as after a STOP reply."""
        with self._lock:
            self.opted_out_numbers.add(number)

    def add_phone_number(
        self, phone_number_id: str, phone_number: str, *, label: str = "Main line"
    ) -> dict:
        """A Twilio number imported into ElevenLabs (`GET /v1/convai/phone-numbers/{id}`)."""
        number = {
            "phone_number": phone_number,
            "label": label,
            "supports_inbound": True,
            "supports_outbound": True,
            "phone_number_id": phone_number_id,
            "assigned_agent": None,
            "provider": "twilio",
        }
        with self._lock:
            self.phone_numbers[phone_number_id] = number
        return number

    def add_voice(
        self,
        voice_id: str,
        name: str,
        *,
        accent: str = "australian",
        gender: str = "female",
        description: str = "warm",
    ) -> dict:
        """A voice of the workspace (VoiceResponseModel), its preview served by this server."""
        voice = {
            "voice_id": voice_id,
            "name": name,
            "category": "premade",
            "labels": {"accent": accent, "gender": gender, "description": description},
            "description": None,
            "preview_url": f"{self.url}{PREVIEW_PREFIX}{voice_id}.mp3",
            "available_for_tiers": [],
            "high_quality_base_model_ids": [],
        }
        with self._lock:
            self.voices[voice_id] = voice
        return voice

    def add_account(
        self,
        *,
        elevenlabs_api_key: str = "",
        twilio_account_sid: str = "",
        twilio_auth_token: str = "",
    ) -> None:
        """Accept another ElevenLabs API key and/or another Twilio account (SID and token),
        as the real providers serve many workspaces and accounts."""
        with self._lock:
            if elevenlabs_api_key:
                self.other_elevenlabs_api_keys.add(elevenlabs_api_key)
            if twilio_account_sid:
                self.other_twilio_accounts[twilio_account_sid] = twilio_auth_token

    def add_twilio_number(
        self, phone_number: str, *, sms_url: str = "", account_sid: str = ""
    ) -> dict:
        """A number of the Twilio account (`account_sid`, default the main one), whose
        inbound SMS go to `sms_url`."""
        sid = "PN" + _hex(32)
        account_sid = account_sid or self.twilio_account_sid
        account_uri = f"/2010-04-01/Accounts/{account_sid}"
        number = {
            "account_sid": account_sid,
            "api_version": "2010-04-01",
            "friendly_name": phone_number,
            "phone_number": phone_number,
            "sid": sid,
            "sms_method": "POST",
            "sms_url": sms_url,
            "status": "in-use",
            "uri": f"{account_uri}/IncomingPhoneNumbers/{sid}.json",
        }
        with self._lock:
            self.twilio_numbers[phone_number] = number
        return number

    def reset(self) -> None:
        """Forget requests, state and injections (the server keeps running)."""
        with self._lock:
            self.requests.clear()
            self.agents.clear()
            self.tools.clear()
            self.knowledge_documents.clear()
            self.conversations.clear()
            self.audio.clear()
            self.outbound_calls.clear()
            self.messages.clear()
            self.opted_out_numbers.clear()
            self.phone_numbers.clear()
            self.phone_number_credentials.clear()
            self.voices.clear()
            self.voice_samples.clear()
            self.twilio_numbers.clear()
            self.other_elevenlabs_api_keys.clear()
            self.other_twilio_accounts.clear()
            self.twilio_account_status = "active"
            self._injections.clear()
            self._drops.clear()
            self._path_latency.clear()
            self.latency = 0.0
            self.max_in_flight.clear()
            self.call_seconds = None
            self.post_call_urls = []
            self.live_calls = self.max_live_calls = self._webhooks_sent = 0
            self.ended_calls.clear()

    # -- dispatch --------------------------------------------------------------------

    def _delay_for(self, method: str, path: str) -> float:
        with self._lock:
            extra = sum(
                seconds
                for wanted_method, prefix, seconds in self._path_latency
                if (wanted_method is None or wanted_method == method) and path.startswith(prefix)
            )
            return self.latency + extra

    def _take_injection(self, method: str, path: str) -> _Injection | None:
        with self._lock:
            for injection in self._injections:
                if injection.method == method and path.startswith(injection.path_prefix):
                    injection.times -= 1
                    if injection.times <= 0:
                        self._injections.remove(injection)
                    return injection
        return None

    def _handle(self, request: RecordedRequest) -> _Response:
        if request.path == STATS_PATH:  # for a server running in its own process (bench)
            with self._lock:
                return _Response(
                    200,
                    {
                        "requests": [[r.method, r.path] for r in self.requests],
                        "max_in_flight": dict(self.max_in_flight),
                        "max_live_calls": self.max_live_calls,
                        "live_calls": self.live_calls,
                        "ended_calls": list(self.ended_calls),
                    },
                )
        with self._lock:
            self.requests.append(request)
            # The call holds a line from its dial request on (end_calls_after).
            ending = (
                self.call_seconds is not None
                and request.method == "POST"
                and request.path == OUTBOUND_CALL_PATH
            )
        if ending:
            self._call_dialled()
            dialled_at = time.time()
            response = self._answer(request)
            if response.status == 200 and not response.drop:
                timer = threading.Timer(
                    self.call_seconds,
                    self._end_call,
                    args=(response.body["conversation_id"], dialled_at),
                )
                timer.daemon = True
                timer.start()
            else:
                with self._lock:
                    self.live_calls -= 1
            return response
        return self._answer(request)

    def _answer(self, request: RecordedRequest) -> _Response:
        delay = self._delay_for(request.method, request.path)
        if delay:
            time.sleep(delay)
        injection = self._take_injection(request.method, request.path)
        if injection is not None:
            return _Response(injection.status, injection.body, headers=injection.headers)
        if request.path.startswith(PREVIEW_PREFIX):  # where preview_url points, no key needed
            voice_id = request.path[len(PREVIEW_PREFIX) :].removesuffix(".mp3")
            if voice_id not in self.voices:
                return _Response(404, {"detail": "Not Found"})
            return _Response(200, FAKE_MP3, content_type="audio/mpeg")
        if request.path.startswith(ELEVENLABS_PREFIX):
            response = self._elevenlabs(request)
        elif request.path.startswith(TWILIO_PREFIX):
            response = self._twilio(request)
        else:
            return _Response(404, {"detail": {"status": "not_found", "message": "Unknown path"}})
        response.drop = self._take_drop(request.method, request.path)
        return response

    # -- ElevenLabs ------------------------------------------------------------------

    _EL_ROUTES = [
        ("POST", re.compile(r"^/v1/convai/agents/create$"), "_agent_create"),
        ("GET", re.compile(r"^/v1/convai/agents$"), "_agent_list"),
        ("GET", re.compile(r"^/v1/convai/agents/(?P<id>[^/]+)$"), "_agent_get"),
        ("PATCH", re.compile(r"^/v1/convai/agents/(?P<id>[^/]+)$"), "_agent_update"),
        ("DELETE", re.compile(r"^/v1/convai/agents/(?P<id>[^/]+)$"), "_agent_delete"),
        ("POST", re.compile(r"^/v1/convai/tools$"), "_tool_create"),
        ("GET", re.compile(r"^/v1/convai/tools$"), "_tool_list"),
        ("GET", re.compile(r"^/v1/convai/tools/(?P<id>[^/]+)$"), "_tool_get"),
        ("PATCH", re.compile(r"^/v1/convai/tools/(?P<id>[^/]+)$"), "_tool_update"),
        ("DELETE", re.compile(r"^/v1/convai/tools/(?P<id>[^/]+)$"), "_tool_delete"),
        ("POST", re.compile(r"^/v1/convai/knowledge-base/text$"), "_knowledge_text"),
        ("POST", re.compile(r"^/v1/convai/knowledge-base/file$"), "_knowledge_file"),
        ("POST", re.compile(r"^/v1/convai/knowledge-base/url$"), "_knowledge_url"),
        ("GET", re.compile(r"^/v1/convai/knowledge-base/(?P<id>[^/]+)$"), "_knowledge_get"),
        ("DELETE", re.compile(r"^/v1/convai/knowledge-base/(?P<id>[^/]+)$"), "_knowledge_delete"),
        ("POST", re.compile(r"^/v1/convai/twilio/outbound-call$"), "_outbound_call"),
        ("GET", re.compile(r"^/v1/convai/phone-numbers/(?P<id>[^/]+)$"), "_phone_number_get"),
        ("POST", re.compile(r"^/v1/convai/phone-numbers$"), "_phone_number_create"),
        ("GET", re.compile(r"^/v1/convai/phone-numbers$"), "_phone_number_list"),
        (
            "PATCH",
            re.compile(r"^/v1/convai/phone-numbers/(?P<id>[^/]+)$"),
            "_phone_number_update",
        ),
        (
            "DELETE",
            re.compile(r"^/v1/convai/phone-numbers/(?P<id>[^/]+)$"),
            "_phone_number_delete",
        ),
        ("GET", re.compile(r"^/v1/voices$"), "_voice_list"),
        ("POST", re.compile(r"^/v1/voices/add$"), "_voice_add"),
        ("DELETE", re.compile(r"^/v1/voices/(?P<id>[^/]+)$"), "_voice_delete"),
        ("GET", re.compile(r"^/v1/convai/conversations$"), "_conversation_list"),
        ("GET", re.compile(r"^/v1/convai/conversations/(?P<id>[^/]+)$"), "_conversation_get"),
        (
            "GET",
            re.compile(r"^/v1/convai/conversations/(?P<id>[^/]+)/audio$"),
            "_conversation_audio",
        ),
    ]

    def _elevenlabs(self, request: RecordedRequest) -> _Response:
        if request.header("xi-api-key") not in {
            self.elevenlabs_api_key,
            *self.other_elevenlabs_api_keys,
        }:
            return _Response(401, elevenlabs_error_body(401))
        # Route and validate as the real API does: unknown path 404, unknown method 405,
        # a body its OpenAPI schema refuses 422, all before anything is stored.
        operation = openapi.find_operation(request.method, request.path)
        if operation is None:
            if openapi.find_path(request.path) is None:
                return _Response(404, {"detail": "Not Found"})
            allowed = ", ".join(openapi.allowed_methods(request.path))
            return _Response(405, {"detail": "Method Not Allowed"}, headers={"Allow": allowed})
        if errors := openapi.request_errors(operation, request.body):
            return _Response(422, {"detail": errors})
        content_type = request.header("content-type", "") or ""
        if errors := openapi.multipart_errors(operation, request.body, content_type):
            return _Response(422, {"detail": errors})
        for method, pattern, handler_name in self._EL_ROUTES:
            match = pattern.match(request.path)
            if match and method == request.method:
                with self._lock:
                    return getattr(self, handler_name)(request, **match.groupdict())
        return _Response(
            404,
            {
                "detail": {
                    "status": "not_found",
                    "message": (
                        f"{operation.method} {operation.template} is documented but the fake "
                        "provider does not implement it"
                    ),
                }
            },
        )

    @staticmethod
    def _not_found(kind: str, resource_id: str) -> _Response:
        return _Response(
            404,
            {
                "detail": {
                    "status": f"{kind}_not_found",
                    "message": f"{kind.capitalize()} with id {resource_id} was not found.",
                }
            },
        )

    def _unknown_knowledge(self, conversation_config: Any) -> _Response | None:
        """A 404 when the agent names knowledge-base documents that do not exist."""
        prompt = (((conversation_config or {}).get("agent") or {}).get("prompt")) or {}
        for locator in prompt.get("knowledge_base") or []:
            if locator.get("id") not in self.knowledge_documents:
                return self._not_found("document", str(locator.get("id")))
        return None

    def _agent_create(self, request: RecordedRequest) -> _Response:
        body = request.json
        if missing := self._unknown_knowledge(body.get("conversation_config")):
            return missing
        agent_id = "agent_" + _hex(26)
        now = int(time.time())
        self.agents[agent_id] = {
            "agent_id": agent_id,
            "name": body.get("name") or "",
            "conversation_config": copy.deepcopy(body["conversation_config"]),
            "metadata": {"created_at_unix_secs": now, "updated_at_unix_secs": now},
            "platform_settings": copy.deepcopy(body.get("platform_settings") or {}),
            "phone_numbers": [],
            "access_info": copy.deepcopy(ACCESS_INFO),
            "tags": body.get("tags") or [],
        }
        return _Response(200, {"agent_id": agent_id})

    def _agent_list(self, request: RecordedRequest) -> _Response:
        search = (request.query.get("search") or [""])[0].lower()
        agents = [
            {
                "agent_id": agent["agent_id"],
                "name": agent["name"],
                "tags": agent["tags"],
                "created_at_unix_secs": agent["metadata"]["created_at_unix_secs"],
                "access_info": copy.deepcopy(ACCESS_INFO),
                "last_call_time_unix_secs": None,
            }
            for agent in self.agents.values()
            if search in agent["name"].lower()
        ]
        return _Response(200, {"agents": agents, "next_cursor": None, "has_more": False})

    def _agent_get(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.agents:
            return self._not_found("agent", id)
        return _Response(200, self.agents[id])

    def _agent_update(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.agents:
            return self._not_found("agent", id)
        # The PATCH schema types both configs as bare objects; what comes out of the merge
        # must still be an agent the create schema accepts, or nothing is stored.
        agent = copy.deepcopy(self.agents[id])
        changes = request.json or {}
        if missing := self._unknown_knowledge(changes.get("conversation_config")):
            return missing
        for key in ("name", "tags"):
            if changes.get(key) is not None:
                agent[key] = changes[key]
        for key in ("conversation_config", "platform_settings"):
            if isinstance(changes.get(key), dict):
                _deep_merge(agent.setdefault(key, {}), changes[key])
        merged = {
            key: agent[key] for key in ("name", "tags", "conversation_config", "platform_settings")
        }
        if errors := openapi.component_errors(AGENT_CREATE_SCHEMA, merged):
            return _Response(422, {"detail": errors})
        agent["metadata"]["updated_at_unix_secs"] = int(time.time())
        self.agents[id] = agent
        return _Response(200, agent)

    def _agent_delete(self, request: RecordedRequest, id: str) -> _Response:
        if self.agents.pop(id, None) is None:
            return self._not_found("agent", id)
        return _Response(200, {})

    def _tool_resource(self, tool_id: str, tool_config: dict) -> dict:
        return {
            "id": tool_id,
            "tool_config": tool_config,
            "access_info": copy.deepcopy(ACCESS_INFO),
            "usage_stats": {"total_calls": 0, "avg_latency_secs": 0.0},
        }

    def _tool_create(self, request: RecordedRequest) -> _Response:
        tool_id = "tool_" + _hex(26)
        self.tools[tool_id] = self._tool_resource(
            tool_id, copy.deepcopy(request.json["tool_config"])
        )
        return _Response(200, self.tools[tool_id])

    def _tool_list(self, request: RecordedRequest) -> _Response:
        return _Response(
            200, {"tools": list(self.tools.values()), "next_cursor": None, "has_more": False}
        )

    def _tool_get(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.tools:
            return self._not_found("tool", id)
        return _Response(200, self.tools[id])

    def _tool_update(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.tools:
            return self._not_found("tool", id)
        self.tools[id]["tool_config"] = copy.deepcopy(request.json["tool_config"])
        return _Response(200, self.tools[id])

    def _tool_delete(self, request: RecordedRequest, id: str) -> _Response:
        if self.tools.pop(id, None) is None:
            return self._not_found("tool", id)
        return _Response(200, {})

    # knowledge base

    def _add_knowledge(self, kind: str, name: str | None, **content: Any) -> _Response:
        document_id = _hex(20)
        self.knowledge_documents[document_id] = {
            "id": document_id,
            "name": name or f"Untitled {kind}",
            "type": kind,
            **content,
        }
        return _Response(
            200, {"id": document_id, "name": self.knowledge_documents[document_id]["name"]}
        )

    def _knowledge_text(self, request: RecordedRequest) -> _Response:
        body = request.json
        return self._add_knowledge("text", body.get("name"), text=body["text"])

    def _knowledge_file(self, request: RecordedRequest) -> _Response:
        parts = openapi.multipart_form(request.body, request.header("content-type", "") or "")
        filename, content = parts["file"]
        name = parts["name"][1].decode() if "name" in parts else None
        return self._add_knowledge("file", name or filename, filename=filename, file=content)

    def _knowledge_url(self, request: RecordedRequest) -> _Response:
        body = request.json
        return self._add_knowledge("url", body.get("name") or body["url"], url=body["url"])

    def _knowledge_get(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.knowledge_documents:
            return self._not_found("document", id)
        document = self.knowledge_documents[id]
        return _Response(200, {key: value for key, value in document.items() if key != "file"})

    def _knowledge_delete(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.knowledge_documents:
            return self._not_found("document", id)
        users = [
            agent_id
            for agent_id, agent in self.agents.items()
            if any(
                locator.get("id") == id
                for locator in agent["conversation_config"]
                .get("agent", {})
                .get("prompt", {})
                .get("knowledge_base", [])
            )
        ]
        if users and request.query.get("force", ["false"])[-1].lower() != "true":
            return _Response(
                400,
                {
                    "detail": {
                        "status": "document_has_dependent_agents",
                        "message": f"Document {id} is used by agents {', '.join(users)}.",
                    }
                },
            )
        del self.knowledge_documents[id]
        for agent_id in users:
            prompt = self.agents[agent_id]["conversation_config"]["agent"]["prompt"]
            prompt["knowledge_base"] = [
                locator for locator in prompt["knowledge_base"] if locator.get("id") != id
            ]
        return _Response(200, {})

    def _outbound_call(self, request: RecordedRequest) -> _Response:
        body = request.json
        conversation_id = "conv_" + _hex(26)
        call_sid = "CA" + _hex(32)
        client_data = body.get("conversation_initiation_client_data") or {}
        # ElevenLabs creates the conversation at once; it stays "initiated" until answered.
        # Shape: GetConversationResponseModel, the same as the post-call webhook's `data`.
        self.conversations[conversation_id] = {
            "agent_id": body["agent_id"],
            "conversation_id": conversation_id,
            "status": "initiated",
            "user_id": client_data.get("user_id"),
            "transcript": [],
            "metadata": {
                "start_time_unix_secs": int(time.time()),
                "accepted_time_unix_secs": None,
                "call_duration_secs": 0,
                "cost": None,
                "termination_reason": "",
                "phone_call": {
                    "type": "twilio",
                    "direction": "outbound",
                    "phone_number_id": body["agent_phone_number_id"],
                    "agent_number": self.agent_number,
                    "external_number": body["to_number"],
                    "call_sid": call_sid,
                    "stream_sid": "MZ" + _hex(32),
                },
                "batch_call": None,
                "conversation_initiation_source": "twilio",
            },
            "analysis": None,
            "conversation_initiation_client_data": {
                "conversation_config_override": copy.deepcopy(
                    client_data.get("conversation_config_override") or {}
                ),
                "custom_llm_extra_body": copy.deepcopy(
                    client_data.get("custom_llm_extra_body") or {}
                ),
                "user_id": client_data.get("user_id"),
                "source_info": {"source": "twilio", "version": None},
                "dynamic_variables": copy.deepcopy(client_data.get("dynamic_variables") or {}),
            },
            "has_audio": False,
            "has_user_audio": False,
            "has_response_audio": False,
        }
        self.outbound_calls.append(
            {
                "conversation_id": conversation_id,
                "call_sid": call_sid,
                "request": copy.deepcopy(body),
            }
        )
        return _Response(
            200,
            {
                "success": True,
                "message": "Success",
                "conversation_id": conversation_id,
                "callSid": call_sid,
            },
        )

    def _phone_number_get(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.phone_numbers:
            message = f"Phone number with id {id} was not found."
            return _Response(404, elevenlabs_error_body(404, message, "phone_number_not_found"))
        return _Response(200, self.phone_numbers[id])

    def _phone_number_create(self, request: RecordedRequest) -> _Response:
        body = request.json
        if body.get("provider", "twilio") != "twilio":
            return _Response(422, elevenlabs_error_body(422, "Only Twilio numbers are faked."))
        if any(n["phone_number"] == body["phone_number"] for n in self.phone_numbers.values()):
            message = f"Phone number {body['phone_number']} already exists."
            return _Response(409, elevenlabs_error_body(409, message, "phone_number_exists"))
        phone_number_id = "phnum_" + _hex(26)
        self.add_phone_number(phone_number_id, body["phone_number"], label=body["label"])
        self.phone_numbers[phone_number_id].update(
            supports_inbound=body.get("supports_inbound", True),
            supports_outbound=body.get("supports_outbound", True),
        )
        self.phone_number_credentials[phone_number_id] = {
            "sid": body["sid"],
            "token": body["token"],
        }
        return _Response(200, {"phone_number_id": phone_number_id})

    def _phone_number_list(self, request: RecordedRequest) -> _Response:
        return _Response(200, list(self.phone_numbers.values()))

    def _phone_number_update(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.phone_numbers:
            message = f"Phone number with id {id} was not found."
            return _Response(404, elevenlabs_error_body(404, message, "phone_number_not_found"))
        body = request.json or {}
        if "agent_id" in body:
            agent_id = body["agent_id"]
            if agent_id is not None and agent_id not in self.agents:
                return self._not_found("agent", agent_id)
            self.phone_numbers[id]["assigned_agent"] = (
                None
                if agent_id is None
                else {"agent_id": agent_id, "agent_name": self.agents[agent_id]["name"]}
            )
        if body.get("label") is not None:
            self.phone_numbers[id]["label"] = body["label"]
        return _Response(200, self.phone_numbers[id])

    def _phone_number_delete(self, request: RecordedRequest, id: str) -> _Response:
        if self.phone_numbers.pop(id, None) is None:
            message = f"Phone number with id {id} was not found."
            return _Response(404, elevenlabs_error_body(404, message, "phone_number_not_found"))
        self.phone_number_credentials.pop(id, None)
        return _Response(200, {})

    def _voice_list(self, request: RecordedRequest) -> _Response:
        return _Response(200, {"voices": list(self.voices.values())})

    def _voice_add(self, request: RecordedRequest) -> _Response:
        """Instant voice cloning: the samples arrive as repeated `files` parts."""
        parts = openapi.multipart_parts(request.body, request.header("content-type", "") or "")
        samples = [content for name, _filename, content in parts if name == "files"]
        if not samples:
            return _Response(
                400,
                elevenlabs_error_body(400, "At least one voice sample is required.", "no_files"),
            )
        name = next((content.decode() for field, _f, content in parts if field == "name"), "")
        voice_id = _hex(20)
        self.voices[voice_id] = {
            "voice_id": voice_id,
            "name": name,
            "category": "cloned",
            "labels": {},
            "description": None,
            "preview_url": f"{self.url}{PREVIEW_PREFIX}{voice_id}.mp3",
            "available_for_tiers": [],
            "high_quality_base_model_ids": [],
        }
        self.voice_samples[voice_id] = samples
        return _Response(200, {"voice_id": voice_id, "requires_verification": False})

    def _voice_delete(self, request: RecordedRequest, id: str) -> _Response:
        if self.voices.pop(id, None) is None:
            return self._not_found("voice", id)
        self.voice_samples.pop(id, None)
        return _Response(200, {"status": "ok"})

    def _conversation_list(self, request: RecordedRequest) -> _Response:
        agent_id = (request.query.get("agent_id") or [None])[0]
        summaries = [
            self._conversation_summary(conversation)
            for conversation in self.conversations.values()
            if agent_id is None or conversation.get("agent_id") == agent_id
        ]
        return _Response(200, {"conversations": summaries, "next_cursor": None, "has_more": False})

    @staticmethod
    def _conversation_summary(conversation: dict) -> dict:
        """A conversation as the list endpoint shows it (ConversationSummaryResponseModel)."""
        metadata = conversation.get("metadata") or {}
        analysis = conversation.get("analysis") or {}
        return {
            "agent_id": conversation.get("agent_id"),
            "agent_name": None,
            "conversation_id": conversation["conversation_id"],
            "start_time_unix_secs": metadata.get("start_time_unix_secs"),
            "call_duration_secs": metadata.get("call_duration_secs"),
            "message_count": len(conversation.get("transcript") or []),
            "status": conversation.get("status"),
            "call_successful": analysis.get("call_successful", "unknown"),
            "transcript_summary": analysis.get("transcript_summary"),
            "call_summary_title": analysis.get("call_summary_title"),
            "direction": (metadata.get("phone_call") or {}).get("direction"),
        }

    def _conversation_get(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.conversations:
            return self._not_found("conversation", id)
        return _Response(200, self.conversations[id])

    def _conversation_audio(self, request: RecordedRequest, id: str) -> _Response:
        if id not in self.conversations and id not in self.audio:
            return self._not_found("conversation", id)
        return _Response(200, self.audio.get(id, FAKE_MP3), content_type="audio/mpeg")

    # -- Twilio ------------------------------------------------------------------------

    _ACCOUNT = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)\.json$")
    _INCOMING_NUMBERS = re.compile(
        r"^/2010-04-01/Accounts/(?P<account>[^/]+)/IncomingPhoneNumbers\.json$"
    )
    _MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
    _MESSAGE = re.compile(
        r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
    )

    def _twilio(self, request: RecordedRequest) -> _Response:
        accounts = {self.twilio_account_sid: self.twilio_auth_token, **self.other_twilio_accounts}
        account = next(
            (
                sid
                for sid, token in accounts.items()
                if request.header("authorization")
                == "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
            ),
            None,
        )
        if account is None:
            return _Response(401, twilio_error_body(401))
        if request.method == "GET" and (match := self._ACCOUNT.match(request.path)):
            if match["account"] != account:
                return _Response(404, twilio_error_body(404))
            return _Response(200, self._account(account))
        if request.method == "GET" and (match := self._INCOMING_NUMBERS.match(request.path)):
            if match["account"] != account:
                return _Response(404, twilio_error_body(404))
            return _Response(200, self._incoming_numbers(request, account))
        if match := self._MESSAGES.match(request.path):
            if match["account"] != account:
                return _Response(404, twilio_error_body(404))
            if request.method == "POST":
                with self._lock:
                    return self._message_create(request, account)
        if match := self._MESSAGE.match(request.path):
            if request.method == "GET" and match["sid"] in self.messages:
                return _Response(200, self.messages[match["sid"]])
        return _Response(404, twilio_error_body(404))

    def _account(self, account: str) -> dict:
        uri = f"/2010-04-01/Accounts/{account}.json"
        return {
            "auth_token": self.twilio_auth_token
            if account == self.twilio_account_sid
            else self.other_twilio_accounts[account],
            "date_created": "Mon, 02 Nov 2026 09:00:00 +0000",
            "date_updated": "Mon, 02 Nov 2026 09:00:00 +0000",
            "friendly_name": "Voqo Test Account",
            "owner_account_sid": account,
            "sid": account,
            "status": self.twilio_account_status,
            "subresource_uris": {},
            "type": "Full",
            "uri": uri,
        }

    def _incoming_numbers(self, request: RecordedRequest, account: str) -> dict:
        wanted = (request.query.get("PhoneNumber") or [None])[0]
        with self._lock:
            numbers = [
                number
                for number in self.twilio_numbers.values()
                if (wanted is None or number["phone_number"] == wanted)
                and number["account_sid"] == account
            ]
        uri = f"/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"
        return {
            "incoming_phone_numbers": numbers,
            "end": max(len(numbers) - 1, 0),
            "first_page_uri": uri + "?PageSize=50&Page=0",
            "next_page_uri": None,
            "page": 0,
            "page_size": 50,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }

    @staticmethod
    def _message_params_error(request: RecordedRequest) -> _Response | None:
        """Twilio's refusal of a Messages create call, checked in Twilio's order, or None.

        Parameters are form-encoded (a JSON body reads as no parameters at all). To and
        From are E.164 numbers (From may be an alphanumeric sender ID, or a Messaging
        Service instead); Body, MediaUrl or ContentSid is required, Body ≤ 1,600 characters.
        """
        form = request.form or {}
        if not form.get("To"):
            return _Response(400, twilio_error_body(400, 21604))
        if not E164.match(form["To"]):
            message = f"The 'To' number {form['To']} is not a valid phone number."
            return _Response(400, twilio_error_body(400, 21211, message))
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return _Response(400, twilio_error_body(400, 21603))
        sender = form.get("From")
        if sender and not (E164.match(sender) or ALPHANUMERIC_SENDER.match(sender)):
            message = f"The 'From' number {form['From']} is not a valid phone number."
            return _Response(400, twilio_error_body(400, 21212, message))
        if not any(form.get(name) for name in ("Body", "MediaUrl", "ContentSid")):
            return _Response(400, twilio_error_body(400, 21602))
        if len(form.get("Body", "")) > 1600:
            return _Response(400, twilio_error_body(400, 21617))
        return None

    def _message_create(self, request: RecordedRequest, account: str) -> _Response:
        if error := self._message_params_error(request):
            return error
        form = request.form or {}
        if form["To"] in self.opted_out_numbers:
            return _Response(400, twilio_error_body(400, 21610))
        sid = "SM" + _hex(32)
        now = formatdate(usegmt=True)
        uri = f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"
        body = form.get("Body", "")
        message = {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(max(1, -(-len(body) // 153) if len(body) > 160 else 1)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": form["To"],
            "uri": uri,
        }
        self.messages[sid] = message
        return _Response(201, message)


class _Server(ThreadingHTTPServer):
    # A real API accepts many connections at once; the default listen backlog (5) reset some
    # of a campaign's simultaneous dials on a busy machine.
    request_queue_size = 256


class _Handler(BaseHTTPRequestHandler):
    fake: FakeProviderServer  # set on the subclass built in start()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        content_type = headers.get("content-type", "")
        parsed_json = form = None
        if raw and "json" in content_type:
            try:
                parsed_json = json.loads(raw)
            except ValueError:
                parsed_json = None
        elif raw and "x-www-form-urlencoded" in content_type:
            form = {
                key: values[-1]
                for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()
            }
        request = RecordedRequest(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query),
            headers=headers,
            body=raw,
            json=parsed_json,
            form=form,
        )
        with self.fake._lock:
            self.fake.in_flight[split.path] = self.fake.in_flight.get(split.path, 0) + 1
            self.fake.max_in_flight[split.path] = max(
                self.fake.max_in_flight.get(split.path, 0), self.fake.in_flight[split.path]
            )
        try:
            response = self.fake._handle(request)
        finally:
            with self.fake._lock:
                self.fake.in_flight[split.path] -= 1
        if response.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if isinstance(response.body, bytes):
            payload = response.body
        elif response.body is None or response.status == 204:
            payload = b""
        else:
            payload = json.dumps(response.body).encode()
        try:
            self.send_response(response.status)
            if payload:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _dispatch


STATS_PATH = "/__fake__/stats"
OUTBOUND_CALL_PATH = "/v1/convai/twilio/outbound-call"
PREVIEW_PREFIX = "/__fake__/previews/"


def main() -> None:
    """Run the fake server in its own process: `python -m tests.fakeprovider.server
    [--latency METHOD:PATH:SECONDS]…`; prints its URL, serves until stdin closes."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--latency", action="append", default=[])
    parser.add_argument(
        "--call-seconds", type=float, help="outbound calls end this long after they are dialled"
    )
    parser.add_argument(
        "--webhook-url", action="append", default=[], help="post-call webhook URLs, in turn"
    )
    parser.add_argument("--webhook-secret", default="")
    args = parser.parse_args()
    server = FakeProviderServer().start()
    for rule in args.latency:
        method, path, seconds = rule.split(":")
        server.set_latency(float(seconds), method, path)
    if args.call_seconds is not None:
        server.end_calls_after(
            args.call_seconds, webhook_urls=args.webhook_url, secret=args.webhook_secret
        )
    print(server.url, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
