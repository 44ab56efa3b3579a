"""The outcomes domain's one door to the task queue: its task paths, named once."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

SEND_CALL_ALERTS = "outcomes.tasks.send_call_alerts"
SEND_DUE_ALERTS = "outcomes.tasks.send_due_alerts"
SWEEP_SCHEDULE_NAME = "Send due lead alerts"


def queue_call_alerts(call_id) -> None:
    """Send the call's pending lead alerts once the surrounding transaction commits."""
    transaction.on_commit(lambda: async_task(SEND_CALL_ALERTS, str(call_id)))


def schedule_alerts(call_id, when: datetime) -> None:
    """Try the call's alerts again at `when` (after quiet hours or a failure)."""
    schedule(
        SEND_CALL_ALERTS,
        str(call_id),
        name=f"lead-alerts-{call_id}-{when:%Y%m%d%H%M%S}",
        schedule_type=Schedule.ONCE,
        next_run=when,
    )


def ensure_alert_schedule(**kwargs) -> None:
    """The worker sends due lead alerts (retries, ends of quiet hours) every minute."""
    Schedule.objects.get_or_create(
        name=SWEEP_SCHEDULE_NAME,
        defaults={
            "func": SEND_DUE_ALERTS,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


SYNC_AGENCY_AGENTS = "outcomes.tasks.sync_agency_agents"


def queue_agent_sync(agency_id) -> None:
    """Sync the agency's agents after its outcomes changed (their data-collection items)."""
    transaction.on_commit(lambda: async_task(SYNC_AGENCY_AGENTS, str(agency_id)))
