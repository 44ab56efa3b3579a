"""What /health checks: the database, the queue's broker, the worker's heartbeat."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from monitoring.heartbeat import expected_since, last_beat, mark_expected_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartHealth:
    name: str
    ok: bool
    detail: str


def check_database() -> PartHealth:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver error means "down", and /health must answer
        logger.warning("health: database check failed: %r", error)
        return PartHealth("database", False, f"unreachable: {type(error).__name__}")
    return PartHealth("database", True, "ok")


def check_broker() -> PartHealth:
    from django_q.brokers import get_broker

    kind = "redis" if settings.Q_CLUSTER.get("redis") else "database"
    try:
        reachable = get_broker().ping()
    except Exception as error:  # redis-py and the ORM raise their own kinds
        logger.warning("health: broker check failed: %r", error)
        return PartHealth("broker", False, f"{kind} broker unreachable: {type(error).__name__}")
    if not reachable:
        return PartHealth("broker", False, f"{kind} broker did not answer")
    return PartHealth("broker", True, f"ok ({kind})")


def check_worker() -> PartHealth:
    """A heartbeat older than WORKER_HEARTBEAT_MAX_AGE fails; none at all fails once the
    install has waited WORKER_HEARTBEAT_GRACE for its first worker."""
    now = timezone.now()
    max_age = timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    beat = last_beat()
    if beat is not None:
        age = int((now - beat).total_seconds())
        if now - beat > max_age:
            return PartHealth("worker", False, f"no heartbeat for {age} s (is qcluster running?)")
        return PartHealth("worker", True, f"ok (heartbeat {age} s ago)")
    since = expected_since()
    if since is None:  # the marker `migrate` writes is gone (a flushed database): from now
        mark_expected_now()
        since = now
    grace = timedelta(seconds=settings.WORKER_HEARTBEAT_GRACE)
    if since is None or now - since > grace:
        return PartHealth("worker", False, "no heartbeat yet (is qcluster running?)")
    return PartHealth("worker", True, "starting (no heartbeat yet)")


def check_all() -> list[PartHealth]:
    database = check_database()
    if not database.ok:
        # The heartbeat lives in the database: without it, the worker cannot be judged.
        return [database, check_broker(), PartHealth("worker", False, "unknown: no database")]
    return [database, check_broker(), check_worker()]
