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
    AgentBehaviour,
    AgentSpec,
    ConnectionCheck,
    KnowledgeDocumentRef,
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

__all__ = [
    "DEFAULT_DATA_COLLECTION",
    "AgentBehaviour",
    "AgentSpec",
    "CREDENTIAL_SETTINGS",
    "ConnectionCheck",
    "KnowledgeDocumentRef",
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
    "TwilioNumberRegistration",
    "Voice",
    "VoiceSampleFile",
    "agent_payload",
    "credentials_for",
    "get_provider",
    "tool_payload",
]

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


# An unchanged configuration (the install's, or one agency's) reuses its clients and their
# connection pools; a change (a new key, override_settings in a test) builds a fresh one.
@functools.lru_cache(maxsize=64)
def _live_provider(
    credentials: ProviderCredentials, elevenlabs_base_url: str, twilio_base_url: str
) -> Provider:
    from .live import LiveProvider  # the SDKs are heavy imports; only load them when live

    return LiveProvider(credentials)
