"""The calls domain's one door to the task queue: its task paths, named once as strings.

Services queue work through here and never import `calls.tasks`, so tasks (which import
services) and services never import each other.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django_q.conf import Conf
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

PROCESS_WEBHOOK_EVENT = "calls.tasks.process_webhook_event"
DRAIN_WEBHOOK_EVENTS = "calls.tasks.drain_webhook_events"
SEND_POST_CALL_SMS = "calls.tasks.send_post_call_sms"
SWEEP_POST_CALL_WORK = "calls.tasks.sweep_post_call_work"
SWEEP_SCHEDULE_NAME = "Sweep post-call work"


def enqueue(func: str, *args) -> None:
    """Queue a task so that it exists exactly when the surrounding transaction commits.

    With the ORM broker the queue row is written in the same transaction (a free outbox);
    with Redis, or when tasks run inline, it is sent after the commit.
    """
    if Conf.ORM and not Conf.SYNC:
        async_task(func, *args)
    else:
        transaction.on_commit(lambda: async_task(func, *args))


def queue_drain() -> None:
    """Queue a drain of the stored webhook events."""
    async_task(DRAIN_WEBHOOK_EVENTS, task_name="drain webhook events")


def queue_post_call_sms(call_id) -> None:
    """Send the call's follow-up SMS once the surrounding transaction commits."""
    enqueue(SEND_POST_CALL_SMS, str(call_id))


def queue_event_processing(event_id: int) -> None:
    """Process one stored webhook event (e.g. audio that waited for its transcription)."""
    enqueue(PROCESS_WEBHOOK_EVENT, event_id)


def schedule_sms_retry(call_id, when: datetime) -> None:
    """Run the SMS sender again for this call at `when` (the sweep also catches it)."""
    schedule(
        SEND_POST_CALL_SMS,
        str(call_id),
        name=f"sms-retry-{call_id}-{when:%Y%m%d%H%M%S}",
        schedule_type=Schedule.ONCE,
        next_run=when,
    )


def ensure_sweep_schedule(**kwargs) -> None:
    """The worker sweeps up lost webhook events and due SMS retries every minute."""
    Schedule.objects.get_or_create(
        name=SWEEP_SCHEDULE_NAME,
        defaults={
            "func": SWEEP_POST_CALL_WORK,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
