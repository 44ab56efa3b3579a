"""The webhooks app's one door to the task queue."""

from __future__ import annotations

from django.db import transaction
from django_q.conf import Conf
from django_q.tasks import async_task

DELIVER = "webhooks.tasks.deliver_webhook"
DELIVER_DUE = "webhooks.tasks.deliver_due_webhooks"
SCHEDULE_NAME = "Deliver due webhooks"


def queue_delivery(delivery_id) -> None:
    """Send one delivery from the worker once the surrounding transaction commits."""
    if Conf.ORM and not Conf.SYNC:
        async_task(DELIVER, str(delivery_id))
    else:
        transaction.on_commit(lambda: async_task(DELIVER, str(delivery_id)))


def ensure_delivery_schedule(**kwargs) -> None:
    """Every minute the worker retries deliveries whose backoff has passed."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": DELIVER_DUE,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
