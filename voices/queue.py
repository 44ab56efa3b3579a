"""The voices domain's one door to the task queue."""

EXPIRE = "voices.tasks.expire_clones"
EXPIRE_SCHEDULE_NAME = "Delete expired voice clones"
CLONE_FOR_CALLER = "voices.tasks.clone_for_caller"


def ensure_expiry_schedule(sender=None, **kwargs) -> None:
    """The worker's hourly sweep of expired clones, created once (idempotent across migrates)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=EXPIRE_SCHEDULE_NAME,
        defaults={"func": EXPIRE, "schedule_type": Schedule.HOURLY, "repeats": -1},
    )


def queue_clone_for_caller(*, agency_id, phone: str, sample_id, rang_at, call_id=None) -> None:
    """Clone a mapped caller's sample in the background (the caller hears the agent's voice
    until it is ready); the clone's ready or failed event goes on the call that asked."""
    from django_q.tasks import async_task

    async_task(
        CLONE_FOR_CALLER,
        str(agency_id),
        phone,
        str(sample_id),
        rang_at.isoformat(),
        str(call_id) if call_id else None,
    )
