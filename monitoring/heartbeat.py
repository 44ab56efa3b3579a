"""The worker's heartbeat: a schedule the worker runs every minute writes the time, and
/health reads it to tell whether a worker is taking work off the queue."""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from voqo.models import Setting

HEARTBEAT = "monitoring.tasks.heartbeat"
HEARTBEAT_SCHEDULE_NAME = "Worker heartbeat"
HEARTBEAT_KEY = "worker_heartbeat_at"
# When the heartbeat schedule was created: a worker gets a grace period to show up.
EXPECTED_SINCE_KEY = "worker_heartbeat_expected_since"


def ensure_heartbeat_schedule(sender=None, **kwargs) -> None:
    """Create the every-minute heartbeat schedule once (idempotent across migrates)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=HEARTBEAT_SCHEDULE_NAME,
        defaults={
            "func": HEARTBEAT,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    try:
        with transaction.atomic():
            if expected_since() is None:
                mark_expected_now()
    except DatabaseError:
        # A partial migrate (backwards, or one app) may leave the settings table behind the
        # code; /health writes the mark itself when it first finds none.
        pass


def mark_expected_now() -> None:
    """Start the worker's grace period for its first heartbeat now."""
    Setting.set_install_value(EXPECTED_SINCE_KEY, timezone.now().isoformat())


def beat() -> None:
    """Record that a worker is alive now."""
    Setting.set_install_value(HEARTBEAT_KEY, timezone.now().isoformat())


def _moment(key: str) -> datetime | None:
    value = Setting.install_value(key)
    return parse_datetime(value) if isinstance(value, str) else None


def last_beat() -> datetime | None:
    return _moment(HEARTBEAT_KEY)


def expected_since() -> datetime | None:
    return _moment(EXPECTED_SINCE_KEY)
