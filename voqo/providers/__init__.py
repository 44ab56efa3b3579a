"""The one provider boundary: `get_provider()` returns the live or sandbox implementation.

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
    KnowledgeDocumentRef,
    OutboundCall,
    PostCallEvent,
    Provider,
    ProviderAuthError,
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
    "KnowledgeDocumentRef",
    "OutboundCall",
    "PostCallEvent",
    "Provider",
    "ProviderAuthError",
    "ProviderError",
    "ProviderInvalidRequest",
    "ProviderNotFound",
    "ProviderRetryableError",
    "SentSms",
    "ToolSpec",
    "agent_payload",
    "get_provider",
    "tool_payload",
]

# The settings a LiveProvider is built from: a change (e.g. override_settings in a test)
# yields a fresh provider, an unchanged configuration reuses the connection pools.
_LIVE_SETTINGS = (
    "ELEVENLABS_API_KEY",
    "ELEVENLABS_BASE_URL",
    "ELEVENLABS_PHONE_NUMBER_ID",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_PHONE_NUMBER",
    "TWILIO_BASE_URL",
)


# The plug-in seam: the sandbox app sits on top of the feature apps (it plays ElevenLabs,
# which knows the agents), so it is named here by path, never imported by voqo.
SANDBOX_PROVIDER = "sandbox.provider.SandboxProvider"


def get_provider() -> Provider:
    """The provider selected by `settings.VOQO_PROVIDER` ("live" or "sandbox")."""
    if settings.VOQO_PROVIDER == "sandbox":
        module, _, name = SANDBOX_PROVIDER.rpartition(".")
        return getattr(importlib.import_module(module), name)()
    if settings.VOQO_PROVIDER == "live":
        return _live_provider(tuple(getattr(settings, name, "") for name in _LIVE_SETTINGS))
    raise ValueError(f"VOQO_PROVIDER must be 'live' or 'sandbox', not {settings.VOQO_PROVIDER!r}")


@functools.lru_cache(maxsize=4)
def _live_provider(configuration: tuple[str, ...]) -> Provider:
    from .live import LiveProvider  # the SDKs are heavy imports; only load them when live

    return LiveProvider()
