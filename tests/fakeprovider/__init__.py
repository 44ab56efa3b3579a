"""The fake ElevenLabs/Twilio server, webhook signing helpers and payload fixtures.

with FakeProviderServer() as server:      # or the `fake_provider` pytest fixture
    ... point ELEVENLABS_BASE_URL / TWILIO_BASE_URL at server.url ...
    server.requests_to("POST", "/v1/convai/twilio/outbound-call")

The server refuses what the real APIs refuse: ElevenLabs bodies are validated against the
official OpenAPI (`openapi.py`), Twilio's Messages parameters as Twilio checks them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .server import (
    DEFAULT_ELEVENLABS_API_KEY,
    DEFAULT_TWILIO_ACCOUNT_SID,
    DEFAULT_TWILIO_AUTH_TOKEN,
    FAKE_MP3,
    FakeProviderServer,
    RecordedRequest,
    elevenlabs_error_body,
    twilio_error_body,
)
from .signing import (
    WebhookResponse,
    elevenlabs_signature,
    post_signed_elevenlabs_webhook,
    twilio_signature,
)

PAYLOADS_DIR = Path(__file__).parent / "payloads"


def load_payload(name: str) -> dict[str, Any]:
    """A fresh copy of `payloads/<name>.json`.

    `load_payload("post_call_transcription__inbound")`; the `.json` suffix is optional.
    """
    filename = name if name.endswith(".json") else f"{name}.json"
    return json.loads((PAYLOADS_DIR / filename).read_text(encoding="utf-8"))


def payload_names() -> list[str]:
    """Names of every stored payload fixture (`<event>__<variant>`)."""
    return sorted(path.stem for path in PAYLOADS_DIR.glob("*.json"))


__all__ = [
    "DEFAULT_ELEVENLABS_API_KEY",
    "DEFAULT_TWILIO_ACCOUNT_SID",
    "DEFAULT_TWILIO_AUTH_TOKEN",
    "FAKE_MP3",
    "FakeProviderServer",
    "PAYLOADS_DIR",
    "RecordedRequest",
    "WebhookResponse",
    "elevenlabs_error_body",
    "elevenlabs_signature",
    "load_payload",
    "payload_names",
    "post_signed_elevenlabs_webhook",
    "twilio_error_body",
    "twilio_signature",
]
