"""The one provider boundary: `get_provider(agency)` returns the live or sandbox implementation,
acting with the agency's own ElevenLabs and Twilio accounts where it brought them.

Callers use only what is exported here; SDK types never leave this package.
"""

from __future__ import annotations

import functools
import importlib

from django.conf import settings

from .base import (
    DEFAULT_DATA_COLLECTION,
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
    agent_payload,
    tool_payload,
)

__all__ = [
    "DEFAULT_DATA_COLLECTION",
    "AgentSpec",
    "ConnectionCheck",
    "OutboundCall",
    "PostCallEvent",
    "Provider",
    "ProviderAuthError",
    "ProviderCredentials",
    "ProviderError",
    "ProviderInvalidRequest",
    "ProviderNotFound",
    "ProviderRetryableError",
    "SentSms",
    "ToolSpec",
    "agent_payload",
    "credentials_for",
    "get_provider",
    "tool_payload",
]

# Which environment variable each credential falls back to when an agency brings none.
CREDENTIAL_SETTINGS = {
    "elevenlabs_api_key": "ELEVENLABS_API_KEY",
    "elevenlabs_phone_number_id": "ELEVENLABS_PHONE_NUMBER_ID",
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_phone_number": "TWILIO_PHONE_NUMBER",
}


# The plug-in seam: the sandbox app sits on top of the feature apps (it plays ElevenLabs,
# which knows the agents), so it is named here by path, never imported by voqo.
SANDBOX_PROVIDER = "sandbox.provider.SandboxProvider"


def get_provider(agency=None) -> Provider:
    """The provider selected by `settings.VOQO_PROVIDER` ("live" or "sandbox").

    With `agency`, the live provider acts with the accounts the agency brought
    (`agency.provider_credentials()`), the install's environment filling what it did not.
    Pass the agency whenever the work is an agency's: its agents, calls, SMS, recordings.
    Raises ProviderAuthError when the agency's stored secrets cannot be decrypted.
    """
    if settings.VOQO_PROVIDER == "sandbox":
        module, _, name = SANDBOX_PROVIDER.rpartition(".")
        return getattr(importlib.import_module(module), name)()
    if settings.VOQO_PROVIDER == "live":
        own = agency.provider_credentials() if agency is not None else None
        return _live_provider(
            credentials_for(own), settings.ELEVENLABS_BASE_URL, settings.TWILIO_BASE_URL
        )
    raise ValueError(f"VOQO_PROVIDER must be 'live' or 'sandbox', not {settings.VOQO_PROVIDER!r}")


def credentials_for(own: ProviderCredentials | None) -> ProviderCredentials:
    """`own` (an agency's accounts) completed from the environment, field by field; the
    Twilio SID and auth token only as a pair (one account's token never signs for another)."""
    own = own or ProviderCredentials()
    values = {
        field: getattr(own, field) or getattr(settings, name, "") or ""
        for field, name in CREDENTIAL_SETTINGS.items()
    }
    if own.twilio_account_sid:
        values["twilio_auth_token"] = own.twilio_auth_token
    else:
        values["twilio_auth_token"] = getattr(settings, "TWILIO_AUTH_TOKEN", "") or ""
    taken = frozenset(field for field in CREDENTIAL_SETTINGS if getattr(own, field))
    return ProviderCredentials(**values, own=taken)


# An unchanged configuration (the install's, or one agency's) reuses its clients and their
# connection pools; a change (a new key, override_settings in a test) builds a fresh one.
@functools.lru_cache(maxsize=64)
def _live_provider(
    credentials: ProviderCredentials, elevenlabs_base_url: str, twilio_base_url: str
) -> Provider:
    from .live import LiveProvider  # the SDKs are heavy imports; only load them when live

    return LiveProvider(credentials)
