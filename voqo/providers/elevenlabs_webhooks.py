"""ElevenLabs' webhook wire format: the one signer/verifier pair and the one payload parser.

The post-call webhook view verifies with `signature_problem`, the sandbox and the tests sign
with `sign`, and every conversation (webhook event or `get_conversation`) becomes a
`PostCallEvent` here, once: domain code never digs in the raw dicts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from datetime import UTC, datetime
from typing import Any

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


# -- parsing ------------------------------------------------------------------------------

# Field limits: a value outside them is dropped (or cut) on its own, and the rest of the
# call is kept. The problems are listed on the event.
MAX_DURATION_SECS = 24 * 60 * 60
EARLIEST_START = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
MAX_TEXT_CHARS = 20_000
MAX_CONVERSATION_ID_CHARS = 128
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        transcript_included=isinstance(transcript_value, list) and bool(transcript_value),
        duration=duration,
        started_at=started_at,
        termination_reason=_text(metadata.get("termination_reason"), 500),
        dynamic_variables=_clean(_dict(client_data.get("dynamic_variables"))),
        caller_name=_collected(collected, "caller_name", 200),
        caller_memories=_collected(collected, "caller_memories", MAX_TEXT_CHARS),
        failure_reason=_text(data.get("failure_reason"), 64),
        sip_code=sip_code,
        audio=audio,
        problems=tuple(problems),
    )


def _conversation_id(value: Any) -> str:
    """The id exactly as sent (it is a key: never cut or cleaned); empty when unusable."""
    if not isinstance(value, str) or _SURROGATE.search(value):
        return ""
    return value


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int | None) -> str:
    """`value` as text without lone surrogates (no database stores them), cut to `limit`."""
    if value is None or isinstance(value, dict | list):
        return ""
    text = _SURROGATE.sub("\ufffd", str(value)).strip()
    return text[:limit] if limit else text


def _clean(value: Any) -> Any:
    """A JSON value with every lone surrogate replaced, so it can be stored."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
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
