"""django-q2 entry points of the project package: thin, they call services."""

import time

from django.conf import settings


def run_sandbox_call(conversation_id: str) -> None:
    """Let a sandbox call 'ring and talk' for SANDBOX_CALL_DELAY seconds, then end it."""
    from voqo.providers import sandbox

    if settings.SANDBOX_CALL_DELAY:
        time.sleep(settings.SANDBOX_CALL_DELAY)
    sandbox.finish_conversation(conversation_id)
