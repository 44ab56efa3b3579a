"""The campaigns domain's one door to the task queue: its task paths, named once.

The engine and services queue work through here and never import `campaigns.tasks`.
"""

from django_q.tasks import async_task

DISPATCH_JOB = "campaigns.tasks.dispatch_job"
DISPATCH_CAMPAIGNS = "campaigns.tasks.dispatch_campaigns"
DISPATCH_SCHEDULE_NAME = "Dispatch campaign calls"


def enqueue_dispatch(job_id) -> None:
    """Dispatch one job now (after Run/Resume, and when a call ends and frees a slot)."""
    async_task(DISPATCH_JOB, str(job_id), task_name=f"dispatch job {job_id}", group="campaigns")


def ensure_dispatch_schedule(sender, **kwargs) -> None:
    """The worker's every-minute dispatch tick, created once (idempotent across migrates)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=DISPATCH_SCHEDULE_NAME,
        defaults={
            "func": DISPATCH_CAMPAIGNS,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
