"""django-q2 entry points of the calls domain: thin, idempotent, they take ids."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django_q.conf import Conf
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from calls import services


def enqueue(func: str, *args) -> None:
    """Queue a task so that it exists exactly when the surrounding transaction commits.

    With the ORM broker the queue row is written in the same transaction (a free outbox);
    with Redis, or when tasks run inline, it is sent after the commit.
    """
    if Conf.ORM and not Conf.SYNC:
        async_task(func, *args)
    else:
        transaction.on_commit(lambda: async_task(func, *args))


def schedule_sms_retry(call_id, when: datetime) -> None:
    """Run the SMS sender again for this call at `when` (the retry tick also catches it)."""
    schedule(
        "calls.tasks.send_post_call_sms",
        str(call_id),
        name=f"sms-retry-{call_id}-{when:%Y%m%d%H%M%S}",
        schedule_type=Schedule.ONCE,
        next_run=when,
    )


def process_webhook_event(event_id: int) -> None:
    services.process_webhook_event(event_id)


def drain_webhook_events() -> str:
    # Inline (tests, Q_CLUSTER sync) there is no burst to wait for.
    idle = 0 if Conf.SYNC else services.DRAIN_IDLE_SECONDS
    return f"{services.drain_webhook_events(idle_seconds=idle)} event(s) processed"


def sweep_post_call_work() -> str:
    """The periodic safety net (every minute): lost events and due SMS retries."""
    events, sms = services.sweep_post_call_work()
    return f"{events} event(s) processed, {sms} SMS retried"


def send_post_call_sms(call_id: str) -> str:
    return services.send_post_call_sms(call_id)
