"""ElevenLabs' webhook wire format: the one signer/verifier pair and the one payload parser.

The post-call webhook view verifies with `signature_problem`, the sandbox and the tests sign
with `sign`, and every conversation (webhook event or `get_conversation`) becomes a
`PostCallEvent` here, once: domain code never digs in the raw dicts.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import hmac
import json
import math
import re
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from .base import PostCallEvent

POST_CALL_TRANSCRIPTION = "post_call_transcription"
POST_CALL_AUDIO = "post_call_audio"
CALL_INITIATION_FAILURE = "call_initiation_failure"
EVENT_TYPES = frozenset({POST_CALL_TRANSCRIPTION, POST_CALL_AUDIO, CALL_INITIATION_FAILURE})

# -- signing ------------------------------------------------------------------------------

SIGNATURE_MAX_AGE = 30 * 60  # seconds, as ElevenLabs' own SDK allows
# The SDK accepts any future timestamp; we allow a few minutes of clock drift, so a replay
# stays bounded by SIGNATURE_MAX_AGE + SIGNATURE_MAX_SKEW.
SIGNATURE_MAX_SKEW = 5 * 60
# A Unix time in seconds has 10 digits until the year 2286; anything much longer is garbage.
_MAX_TIMESTAMP_DIGITS = 12
_ASCII_DIGITS = re.compile(rf"[0-9]{{1,{_MAX_TIMESTAMP_DIGITS}}}")


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `ElevenLabs-Signature` header: `t=<unix secs>,v0=<hex HMAC-SHA256(secret, "t.body")>`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v0={digest.hexdigest()}"


def signature_problem(header: str, body: bytes, secret: str, now: float) -> str:
    """Why `header` does not sign `body`; empty when it does.

    Parsed as the official SDK parses it (comma-separated, `t=` and `v0=` prefixes, the last
    of each wins); compared in constant time on the raw bytes; stale timestamps refused, and
    future ones beyond SIGNATURE_MAX_SKEW.
    """
    if not header:
        return "Missing ElevenLabs-Signature header."
    if not secret:
        return "The webhook secret is not configured."
    timestamp = signature = ""
    for part in header.split(","):
        if part.startswith("t="):
            timestamp = part[2:]
        elif part.startswith("v0="):
            signature = part[3:]
    # str.isdigit() accepts "²" and other digits int() refuses: only ASCII digits count.
    if not _ASCII_DIGITS.fullmatch(timestamp) or not signature:
        return "Malformed ElevenLabs-Signature header."
    age = now - int(timestamp)
    if age > SIGNATURE_MAX_AGE:
        return "Signature timestamp is too old."
    if age < -SIGNATURE_MAX_SKEW:
        return "Signature timestamp is in the future: check that the server clock is synced."
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest().encode(), signature.encode("utf-8", "replace")):
        return "Signature does not match."
    return ""


# -- decoding the verified body -------------------------------------------------------------

MAX_NESTING = 64  # a real event nests about six levels
# JSON escapes a database refuses to store as text: lone surrogates and NUL.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)")


class InvalidWebhookBody(ValueError):
    """A signed body Voqo cannot take as an event; the message says why (for a 400)."""


def decode_event(body: bytes) -> tuple[dict[str, Any], str]:
    """The verified body as (event, JSON text to store). Raises InvalidWebhookBody.

    Strict where the provider never sends otherwise (UTF-8 only, no NaN or Infinity, sane
    nesting), lenient where it might (a UTF-8 byte order mark). The text is the body as
    received unless it holds escapes a database cannot store, which are replaced.
    """
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    try:
        # orjson parses a 15 KB event in a third of the standard parser's time, and takes
        # only JSON the standard parser takes as well. Its numbers may differ (it reads
        # integers beyond 64 bits as floats), which is harmless here: the event is only
        # looked into for its type, conversation id and nesting, and the body is stored as
        # received. What orjson refuses goes to the standard parser, which takes lone
        # surrogate escapes (replaced below) and says why it refuses the rest.
        event = orjson.loads(body)
        text = body.decode("utf-8")
    except orjson.JSONDecodeError:
        event, text = _strict_loads(body)
    if not isinstance(event, dict):
        raise InvalidWebhookBody("Body must be a JSON object.")
    if _nesting(event) > MAX_NESTING:
        raise InvalidWebhookBody("Body is nested too deeply.")
    if _UNSTORABLE_ESCAPE.search(text):
        text = json.dumps(_clean(event))
    return event, text


def _strict_loads(body: bytes) -> tuple[Any, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidWebhookBody("Body is not UTF-8 encoded JSON.") from None
    try:
        event = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except InvalidWebhookBody:
        raise
    except RecursionError:
        raise InvalidWebhookBody("Body is nested too deeply.") from None
    except ValueError:
        raise InvalidWebhookBody("Body is not valid JSON.") from None
    return event, text


def _refuse_constant(name: str) -> Any:
    raise InvalidWebhookBody(f"Body contains {name}, which is not JSON.")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise InvalidWebhookBody(f"Body contains a number out of range ({text[:20]}).")
    return value


def _nesting(value: Any) -> int:
    """How deeply `value` nests, up to MAX_NESTING + 1 (level by level, iteratively: a deep
    value must not overflow the stack, and a 15 KB transcript is walked on every delivery)."""
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > MAX_NESTING:
            return depth
        inner = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    inner.append(child)
        level = inner
    return depth


def usable_conversation_id(value: Any) -> str:
    """Why `value` cannot be a conversation id; empty when it can (stored whole)."""
    if not isinstance(value, str) or not value:
        return "Missing data.conversation_id."
    if len(value) > MAX_CONVERSATION_ID_CHARS:
        return f"data.conversation_id is longer than {MAX_CONVERSATION_ID_CHARS} characters."
    if _SURROGATE.search(value) or "\x00" in value:
        return "data.conversation_id is not valid text."
    return ""


# -- parsing ------------------------------------------------------------------------------

# Field limits: a value outside them is dropped (or cut) on its own, and the rest of the
# call is kept. The problems are listed on the event.
MAX_DURATION_SECS = 24 * 60 * 60
EARLIEST_START = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
MAX_TEXT_CHARS = 20_000
MAX_CONVERSATION_ID_CHARS = 128
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUL = "\x00"


def parse_event(payload: dict[str, Any], *, now: float | None = None) -> PostCallEvent:
    """The webhook event `{"type", "data"}` as a PostCallEvent (any values; never raises)."""
    event_type = payload.get("type") if isinstance(payload, dict) else None
    data = payload.get("data") if isinstance(payload, dict) else None
    return parse_conversation(
        _dict(data), event_type=event_type if isinstance(event_type, str) else "", now=now
    )


def parse_conversation(
    data: dict[str, Any], *, event_type: str = POST_CALL_TRANSCRIPTION, now: float | None = None
) -> PostCallEvent:
    """A conversation (the webhook's `data`, or `GET /v1/convai/conversations/{id}`)."""
    problems: list[str] = []
    metadata = _dict(data.get("metadata"))
    phone_call = _dict(metadata.get("phone_call"))
    analysis = _clean(_dict(data.get("analysis")))
    collected = _dict(analysis.get("data_collection_results"))
    client_data = _dict(data.get("conversation_initiation_client_data"))
    transcript_value = data.get("transcript")
    transcript = (
        _clean([turn for turn in transcript_value if isinstance(turn, dict)])
        if (isinstance(transcript_value, list))
        else []
    )

    duration = _duration(metadata.get("call_duration_secs"), problems)
    started_at = _start_time(metadata.get("start_time_unix_secs"), problems, now)

    if event_type == CALL_INITIATION_FAILURE:
        # Twilio's status callback body: who was dialled, and the SIP answer.
        twilio_body = _dict(metadata.get("body"))
        phone_call = {
            "direction": "outbound",
            "external_number": twilio_body.get("To"),
            "agent_number": twilio_body.get("From"),
        }
        sip_code = _text(twilio_body.get("SipResponseCode"), 8)
    else:
        sip_code = ""

    audio = b""
    if event_type == POST_CALL_AUDIO:
        try:
            audio = base64.b64decode(_text(data.get("full_audio"), None), validate=True)
        except (binascii.Error, ValueError):
            problems.append("full_audio is not base64")

    return PostCallEvent(
        event_type=event_type,
        conversation_id=_conversation_id(data.get("conversation_id")),
        agent_id=_text(data.get("agent_id"), 128),
        status=_text(data.get("status"), 32),
        # Web, widget and test conversations carry no phone_call block at all.
        channel="phone" if phone_call else "web",
        direction="outbound" if phone_call.get("direction") == "outbound" else "inbound",
        external_number=_text(phone_call.get("external_number"), 40),
        agent_number=_text(phone_call.get("agent_number"), 40),
        call_result=_text(phone_call.get("call_result"), 32),
        summary=_text(analysis.get("transcript_summary"), MAX_TEXT_CHARS),
        title=_text(analysis.get("call_summary_title"), 200),
        outcome=_text(analysis.get("call_successful"), 32),
        analysis=analysis,
        transcript=transcript,
        caller_spoke=_caller_spoke(transcript, data, duration, collected),
        duration=duration,
        started_at=started_at,
        termination_reason=_text(metadata.get("termination_reason"), 500),
        dynamic_variables=_clean(_dict(client_data.get("dynamic_variables"))),
        voice_id=_text(
            _dict(_dict(client_data.get("conversation_config_override")).get("tts")).get(
                "voice_id"
            ),
            64,
        ),
        caller_name=_collected(collected, "caller_name", 200),
        caller_memories=_collected(collected, "caller_memories", MAX_TEXT_CHARS),
        do_not_call=_collected(collected, "do_not_call", 8).lower() in ("true", "yes", "1"),
        collected=_collected_values(collected),
        evaluation=_evaluation(analysis.get("evaluation_criteria_results")),
        failure_reason=_text(data.get("failure_reason"), 64),
        sip_code=sip_code,
        audio=audio,
        problems=tuple(problems),
    )


def _conversation_id(value: Any) -> str:
    """The id exactly as sent (it is a key: never cut or cleaned); empty when unusable."""
    return "" if usable_conversation_id(value) else value


# With the transcript left out and no audio flags, a call this short with nothing collected
# is taken as one where the caller never spoke.
SILENT_CALL_MAX_SECS = 10


def _caller_spoke(
    transcript: list[dict], data: dict, duration: int | None, collected: dict
) -> bool:
    """Whether the caller said anything.

    The transcript says so when it is there; an agent with `exclude_transcript` on sends
    none, so then the fields that survive it decide: `has_user_audio` false, anything the
    analysis collected from the caller, and the call's length.
    """
    if transcript:
        return any(
            turn.get("role") == "user" and str(turn.get("message") or "").strip()
            for turn in transcript
        )
    # No user audio track means silence; having one proves nothing (a phone line always
    # carries the caller's side, silent or not).
    if data.get("has_user_audio") is False:
        return False
    if any(_collected(collected, key, 1) for key in collected):
        return True
    return duration is None or duration > SILENT_CALL_MAX_SECS


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int | None) -> str:
    """`value` as text without lone surrogates (no database stores them), cut to `limit`."""
    if value is None or isinstance(value, dict | list):
        return ""
    text = _SURROGATE.sub("\ufffd", str(value)).replace(_NUL, "").strip()
    return text[:limit] if limit else text


def _clean(value: Any) -> Any:
    """A JSON value without lone surrogates or NULs, so any database can store it."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value).replace(_NUL, "")
    if isinstance(value, dict):
        return {_clean(str(key)): _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _collected(collected: dict, key: str, limit: int) -> str:
    item = collected.get(key)
    value = item.get("value") if isinstance(item, dict) else item
    return _text(value, limit) if value not in (None, "") else ""


# Longer values are cut: an extracted detail is an address or a time, never an essay.
MAX_COLLECTED_CHARS = 2000


def _collected_values(collected: dict) -> dict[str, Any]:
    """Each item's value (string, finite number or boolean), empty ones left out."""
    values: dict[str, Any] = {}
    for key, item in collected.items():
        value = item.get("value") if isinstance(item, dict) else item
        if isinstance(value, bool):
            values[key] = value
        elif isinstance(value, int | float):
            if _number(value) is not None:
                values[key] = value
        elif isinstance(value, str) and (text := _text(value, MAX_COLLECTED_CHARS)):
            values[key] = text
    return values


def _evaluation(results: Any) -> dict[str, str]:
    return {
        str(key): _text(item.get("result"), 16)
        for key, item in _dict(results).items()
        if isinstance(item, dict)
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _duration(value: Any, problems: list[str]) -> int | None:
    number = _number(value)
    if number is None:
        if value is not None:
            problems.append(f"call_duration_secs {str(value)[:40]!r} is not a number")
        return None
    if not 0 <= number <= MAX_DURATION_SECS:
        problems.append(f"call_duration_secs {number:g} is out of range")
        return None
    return int(number)


def _start_time(value: Any, problems: list[str], now: float | None) -> datetime | None:
    number = _number(value)
    if number is None:
        if value is not None:
            problems.append(f"start_time_unix_secs {str(value)[:40]!r} is not a number")
        return None
    latest = (time.time() if now is None else now) + 24 * 60 * 60
    if number > latest and EARLIEST_START <= number / 1000 <= latest:
        number /= 1000  # milliseconds where seconds belong
    if not EARLIEST_START <= number <= latest:
        problems.append(f"start_time_unix_secs {number:g} is out of range")
        return None
    return datetime.fromtimestamp(int(number), tz=UTC)
