"""Connecting Voqo to ElevenLabs and Twilio: what is configured, what to paste where,
"Check now" and "Send a test webhook"."""

from __future__ import annotations

import ipaddress
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent
from calls.models import DEMO_CONVERSATION_PREFIX, Call
from voqo.last_seen import SELF_TEST_HEADER
from voqo.models import Setting
from voqo.providers import ConnectionCheck, get_provider
from voqo.providers.elevenlabs_webhooks import sign as elevenlabs_signature

# The environment variables each provider needs, with what they hold (README, providers.md).
ELEVENLABS_SETTINGS = (
    ("ELEVENLABS_API_KEY", "API key"),
    ("ELEVENLABS_PHONE_NUMBER_ID", "Phone number id (the Twilio number imported into ElevenLabs)"),
    ("ELEVENLABS_WEBHOOK_SECRET", "Post-call webhook HMAC secret"),
    ("ELEVENLABS_INITIATION_TOKEN", "Initiation webhook token"),
)
TWILIO_SETTINGS = (
    ("TWILIO_ACCOUNT_SID", "Account SID"),
    ("TWILIO_AUTH_TOKEN", "Auth token"),
    ("TWILIO_PHONE_NUMBER", "Phone number (SMS sender and caller ID)"),
)
# Without these, live calls or SMS cannot work at all.
REQUIRED_KEYS = (
    "ELEVENLABS_API_KEY",
    "ELEVENLABS_PHONE_NUMBER_ID",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_PHONE_NUMBER",
)

CHECK_SETTING = "connection_check"
TEST_EVENT_TYPE = "voqo_connection_test"  # not an ElevenLabs type: Voqo ignores it after checking
# ACMA reserves 0491 570 xxx for fiction: never a real caller, never one of the contacts.
TEST_CALLER_ID = "+61491570006"
TEST_TIMEOUT_SECS = 10


def missing_keys() -> list[str]:
    """The provider settings live calls and SMS need that are empty."""
    return [name for name in REQUIRED_KEYS if not getattr(settings, name, "")]


def public_url(path: str) -> str:
    """`path` as ElevenLabs and Twilio reach it."""
    return settings.PUBLIC_BASE_URL + path


def webhook_urls() -> dict[str, str]:
    """Voqo's provider-facing URLs, to paste into ElevenLabs and Twilio."""
    return {
        "post_call": public_url(reverse("elevenlabs_post_call")),
        "initiation": public_url(reverse("elevenlabs_initiation")),
        "twilio_sms": public_url(reverse("twilio_sms")),
        "twilio_sms_status": public_url(reverse("twilio_sms_status")),
        "tool_proxy": public_url("/functions/"),
    }


def public_base_url_problem() -> str:
    """Why the providers could not reach PUBLIC_BASE_URL; empty when it looks reachable."""
    url = settings.PUBLIC_BASE_URL
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
        private = address.is_private or address.is_loopback or address.is_link_local
    except ValueError:
        private = host == "localhost" or host.endswith((".local", ".localhost", ".internal"))
    if private:
        return (
            f"PUBLIC_BASE_URL is {url}, an address only this network can reach: ElevenLabs "
            f"and Twilio need Voqo's public https address (a tunnel will do for a trial)."
        )
    if parts.scheme != "https":
        return f"PUBLIC_BASE_URL is {url}: use https, ElevenLabs and Twilio send secrets to it."
    return ""


@dataclass(frozen=True)
class StoredCheck:
    """The last "Check now": when, in which provider mode, and what each provider said."""

    checked_at: datetime
    provider: str
    checks: dict[str, ConnectionCheck]


def check_connections() -> StoredCheck:
    """Ask both providers whether the configuration works, and keep the answer."""
    checks = get_provider().check_connection()
    checked_at = timezone.now()
    Setting.set_install_value(
        CHECK_SETTING,
        {
            "checked_at": checked_at.isoformat(),
            "provider": settings.VOQO_PROVIDER,
            "checks": [asdict(check) for check in checks],
        },
    )
    return StoredCheck(
        checked_at, settings.VOQO_PROVIDER, {check.service: check for check in checks}
    )


def last_check() -> StoredCheck | None:
    """The last "Check now" made in the current provider mode, if any."""
    stored = Setting.install_value(CHECK_SETTING)
    try:
        if stored["provider"] != settings.VOQO_PROVIDER:
            return None
        checks = [ConnectionCheck(**check) for check in stored["checks"]]
        return StoredCheck(
            datetime.fromisoformat(stored["checked_at"]),
            stored["provider"],
            {check.service: check for check in checks},
        )
    except (TypeError, KeyError, ValueError):
        return None


def last_outbound_call() -> Call | None:
    """The newest outbound call Voqo asked ElevenLabs to place (demo history aside)."""
    return (
        Call.objects.filter(direction=Call.Direction.OUTBOUND)
        .exclude(elevenlabs_conversation_id__startswith=DEMO_CONVERSATION_PREFIX)
        .only("id", "created_at", "status", "failure_reason", "to_phone")
        .order_by("-created_at")
        .first()
    )


def inbound_sms_problem(check: ConnectionCheck | None) -> str:
    """Why replies to the agency's number would miss Voqo; empty when they reach it."""
    if check is None or not check.ok or check.inbound_sms_url is None:
        return ""
    expected = webhook_urls()["twilio_sms"]
    if check.inbound_sms_url == expected:
        return ""
    current = check.inbound_sms_url or "not set"
    return (
        f"Replies to {settings.TWILIO_PHONE_NUMBER} go to {current}, not to {expected}: "
        f"STOP replies would not reach Voqo."
    )


# -- test webhooks --------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    """What Voqo's own webhook answered to a test request."""

    kind: str  # "post_call" or "initiation"
    url: str
    ok: bool
    message: str
    status: int | None = None
    answer: str = ""  # the response body, shortened


def send_test_post_call_webhook() -> TestResult:
    """POST a correctly signed test event to Voqo's post-call webhook URL.

    The event type is not one ElevenLabs sends, so Voqo checks the signature and answers
    without recording a call.
    """
    url = webhook_urls()["post_call"]
    secret = settings.ELEVENLABS_WEBHOOK_SECRET
    if not secret:
        return TestResult(
            "post_call",
            url,
            False,
            "ELEVENLABS_WEBHOOK_SECRET is not set: paste the secret ElevenLabs shows for the "
            "webhook into the environment and restart Voqo.",
        )
    event = {
        "type": TEST_EVENT_TYPE,
        "event_timestamp": int(time.time()),
        "data": {"agent_id": "", "conversation_id": "conv_test_" + secrets.token_hex(8)},
    }
    body = json.dumps(event).encode()
    status, answer, failure = _post(
        url, body, {"ElevenLabs-Signature": elevenlabs_signature(body, secret)}
    )
    if failure:
        return TestResult("post_call", url, False, failure)
    if status == 200:
        try:
            acknowledged = json.loads(answer).get("status") == "ignored"
        except (ValueError, AttributeError):
            acknowledged = False
        if not acknowledged:
            message = f"Something answered 200 at {url}, but not Voqo's webhook."
            return TestResult("post_call", url, False, message, status, answer)
        message = (
            "Voqo accepted the signed test event. ElevenLabs' events reach this URL if its "
            "webhook uses this URL and the same secret."
        )
        return TestResult("post_call", url, True, message, status, answer)
    return TestResult("post_call", url, False, _refusal(status, answer), status, answer)


def send_test_initiation_request() -> TestResult:
    """POST an initiation request, as ElevenLabs sends before an inbound call, to Voqo.

    It names the oldest agent known to ElevenLabs, so the answer shows that agent's greeting.
    """
    url = webhook_urls()["initiation"]
    token = settings.ELEVENLABS_INITIATION_TOKEN
    if not token:
        return TestResult(
            "initiation",
            url,
            False,
            "ELEVENLABS_INITIATION_TOKEN is not set: choose a long random token, set it in "
            "the environment and in ElevenLabs' webhook header, and restart Voqo.",
        )
    agent = Agent.objects.exclude(elevenlabs_agent_id="").order_by("created_at").first()
    body = json.dumps(
        {
            "caller_id": TEST_CALLER_ID,
            "agent_id": agent.elevenlabs_agent_id if agent else "",
            "called_number": settings.TWILIO_PHONE_NUMBER,
            "call_sid": "CA" + secrets.token_hex(16),
        }
    ).encode()
    status, answer, failure = _post(url, body, {"Authorization": f"Bearer {token}"})
    if failure:
        return TestResult("initiation", url, False, failure)
    if status != 200:
        return TestResult("initiation", url, False, _refusal(status, answer), status, answer)
    try:
        answered = json.loads(answer)
        variables = answered.get("dynamic_variables")
        override = answered.get("conversation_config_override") or {}
        greeting = (override.get("agent") or {}).get("first_message") or ""
    except (ValueError, AttributeError):
        variables = None
    if not isinstance(variables, dict):
        message = "Something answered 200, but not with the JSON ElevenLabs expects."
        return TestResult("initiation", url, False, message, status, answer)
    message = f"Voqo answered with {len(variables)} dynamic variables for an unknown caller"
    message += f"; {agent.name} would greet them: “{greeting}”." if agent and greeting else "."
    return TestResult("initiation", url, True, message, status, answer)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status, answer, failure): `failure` says why no answer came."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", SELF_TEST_HEADER: "1", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=TEST_TIMEOUT_SECS) as response:
            return response.status, response.read(2000).decode(errors="replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(2000).decode(errors="replace"), ""
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return (
            None,
            "",
            f"Voqo could not reach {url} ({reason}). Check PUBLIC_BASE_URL and that this "
            f"address reaches Voqo.",
        )


def _refusal(status: int | None, answer: str) -> str:
    try:
        reason = json.loads(answer).get("error") or answer
    except (ValueError, AttributeError):
        reason = answer
    reason = reason.strip() or "no reason given"
    if status == 401:
        return f"Voqo refused the request: {reason}"
    return f"Voqo answered HTTP {status}: {reason}"
