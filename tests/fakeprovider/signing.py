"""Sign webhooks the way ElevenLabs and Twilio do, and deliver them over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from twilio.request_validator import RequestValidator

from voqo.providers.elevenlabs_webhooks import sign

# The one ElevenLabs signer, shared with the sandbox; the webhook verifies with its pair.
elevenlabs_signature = sign


def twilio_signature(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """The `X-Twilio-Signature` header value for a form POST of `params` to the public `url`."""
    return RequestValidator(auth_token).compute_signature(url, params)


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def post_signed_elevenlabs_webhook(
    url: str,
    event: dict,
    secret: str,
    *,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> WebhookResponse:
    """POST `event` as JSON to `url` with a valid `ElevenLabs-Signature`.

    Never raises on 4xx/5xx: the status is in the returned `WebhookResponse`.
    """
    body = json.dumps(event).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "ElevenLabs-Signature": elevenlabs_signature(body, secret, timestamp),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return WebhookResponse(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return WebhookResponse(error.code, error.read(), dict(error.headers))
