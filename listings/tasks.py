"""django-q2 entry points of the listings domain: thin, they call services."""

from listings import services
from listings.models import ListingFeed


def poll_due_feeds() -> int:
    return services.poll_due_feeds()


def poll_feed(feed_id: str) -> None:
    feed = ListingFeed.objects.filter(pk=feed_id).select_related("agency").first()
    if feed is not None:
        services.poll_feed(feed)
