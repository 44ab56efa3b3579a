"""django-q2 entry points of the sandbox: thin, they call the simulated provider."""

import time

from django.conf import settings

from sandbox import provider


def run_sandbox_call(conversation_id: str) -> None:
    """Let a sandbox call 'ring and talk' for SANDBOX_CALL_DELAY seconds, then end it."""
    if settings.SANDBOX_CALL_DELAY:
        time.sleep(settings.SANDBOX_CALL_DELAY)
    provider.finish_conversation(conversation_id)
