import pytest

from tests.sandbox.capture import CaptureServer


@pytest.fixture
def capture(settings):
    """Voqo's public URL pointed at a capture server: the sandbox's webhooks land there."""
    with CaptureServer() as server:
        settings.PUBLIC_BASE_URL = server.url
        yield server
