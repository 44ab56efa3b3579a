"""Pytest fixtures for the fake provider; registered with
`pytest_plugins = ["tests.fakeprovider.fixtures"]` in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import (
    DEFAULT_ELEVENLABS_API_KEY,
    DEFAULT_TWILIO_ACCOUNT_SID,
    DEFAULT_TWILIO_AUTH_TOKEN,
    FakeProviderServer,
)


@pytest.fixture
def fake_provider() -> Iterator[FakeProviderServer]:
    """A running fake ElevenLabs + Twilio server for this test."""
    with FakeProviderServer() as server:
        yield server


@pytest.fixture
def live_provider_settings(fake_provider: FakeProviderServer, settings) -> FakeProviderServer:
    """VOQO_PROVIDER=live with both providers pointed at `fake_provider`; returns the server."""
    settings.VOQO_PROVIDER = "live"
    settings.ELEVENLABS_API_KEY = DEFAULT_ELEVENLABS_API_KEY
    settings.ELEVENLABS_BASE_URL = fake_provider.url
    settings.ELEVENLABS_PHONE_NUMBER_ID = "phnum_test"
    settings.ELEVENLABS_WEBHOOK_SECRET = "whsec_test"
    settings.TWILIO_ACCOUNT_SID = DEFAULT_TWILIO_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = DEFAULT_TWILIO_AUTH_TOKEN
    settings.TWILIO_PHONE_NUMBER = "+61280001234"
    settings.TWILIO_BASE_URL = fake_provider.url
    return fake_provider
