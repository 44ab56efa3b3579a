"""The listings domain's one door to the task queue: its task paths, named once."""

from django_q.tasks import async_task

POLL_DUE_FEEDS = "listings.tasks.poll_due_feeds"
POLL_FEED = "listings.tasks.poll_feed"
FEED_SCHEDULE_NAME = "Poll listing feeds"


def queue_feed_poll(feed_id) -> None:
    """Fetch one agency's feed now (the "Check now" button)."""
    async_task(POLL_FEED, str(feed_id), task_name=f"poll listing feed {feed_id}", group="listings")


def ensure_feed_schedule(sender, **kwargs) -> None:
    """Every 15 minutes the worker polls the feeds that are due (created once per migrate)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=FEED_SCHEDULE_NAME,
        defaults={
            "func": POLL_DUE_FEEDS,
            "schedule_type": Schedule.MINUTES,
            "minutes": 15,
            "repeats": -1,
        },
    )
