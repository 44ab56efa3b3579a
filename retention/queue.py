"""The retention domain's one door to the task queue."""

PURGE = "retention.tasks.purge"
PURGE_SCHEDULE_NAME = "Purge data past its retention"


def ensure_purge_schedule(sender=None, **kwargs) -> None:
    """The worker's hourly purge, created once (idempotent across migrates)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=PURGE_SCHEDULE_NAME,
        defaults={"func": PURGE, "schedule_type": Schedule.HOURLY, "repeats": -1},
    )
