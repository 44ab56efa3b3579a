"""The scheduling domain's one door to the task queue: its task paths, named once."""

PLACE_DUE_CALLS = "scheduling.tasks.place_due_calls"
TICK_SCHEDULE_NAME = "Place scheduled calls"


def ensure_tick_schedule(sender, **kwargs) -> None:
    """The worker's every-minute tick that places due calls, created once."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=TICK_SCHEDULE_NAME,
        defaults={
            "func": PLACE_DUE_CALLS,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
