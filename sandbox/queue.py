"""The sandbox's door to the task queue: its task paths, named once."""

from django.db import transaction
from django_q.tasks import async_task

RUN_SANDBOX_CALL = "sandbox.tasks.run_sandbox_call"


def queue_sandbox_call(conversation_id: str) -> None:
    """End the simulated call in a worker, once the surrounding transaction commits."""
    # After commit: the worker must see the row, and the caller gets to store the
    # conversation id (it does so right after the provider returns) before the call "ends".
    transaction.on_commit(
        lambda: async_task(
            RUN_SANDBOX_CALL, conversation_id, task_name=f"sandbox {conversation_id}"
        )
    )
