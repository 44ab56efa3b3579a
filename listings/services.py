"""Bringing listings in: a REAXML file upload, and the agency's REAXML feed polled on a
schedule through the SSRF-guarded egress of custom functions, with a conditional GET."""

from __future__ import annotations

import logging

from django.utils import timezone

from agencies.models import Agency
from functions import egress
from listings import reaxml
from listings.importing import apply_records, audit_import
from listings.models import Listing, ListingFeed, ListingImport
from voqo.events import record_audit
from voqo.models import agency_zone

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
FEED_TIMEOUT_SECS = 60.0
USER_AGENT = "Voqo-Listings/1.0"


def import_reaxml(
    *,
    agency: Agency,
    content: bytes,
    name: str,
    actor: str = "",
    source: str = "reaxml",
    by=None,
) -> ListingImport:
    """Read a REAXML document and upsert its listings; a file that cannot be read is
    recorded as a refused import (nothing changes)."""
    try:
        parsed = reaxml.parse(content, zone=agency_zone(agency))
    except reaxml.ReaxmlError as error:
        report = ListingImport.objects.create(
            agency=agency, source=source, name=name[:255], error=error.message, created_by=actor
        )
        if source != ListingImport.Source.FEED:
            audit_import(report, by)
        return report
    return apply_records(
        agency=agency,
        parsed=parsed,
        source=source,
        name=name,
        actor=actor,
        listing_source=Listing.Source.FEED if source == "feed" else Listing.Source.REAXML,
        by=by,
    )


def save_feed(
    *, agency: Agency, url: str, enabled: bool, poll_every_minutes: int, by=None
) -> ListingFeed:
    """Set the agency's feed URL; a new URL is fetched in full next time (no validators)."""
    feed = ListingFeed.objects.filter(agency=agency).first() or ListingFeed(agency=agency)
    before = {
        "url": feed.url,
        "enabled": feed.enabled,
        "poll_every_minutes": feed.poll_every_minutes,
    }
    after = {"url": url, "enabled": enabled, "poll_every_minutes": poll_every_minutes}
    if feed.url != url:
        feed.etag = feed.last_modified = ""
        feed.checked_at = None
    feed.url, feed.enabled, feed.poll_every_minutes = url, enabled, poll_every_minutes
    feed.save()
    if before != after:
        changed = sorted(name for name in after if before[name] != after[name])
        record_audit(
            agency,
            by,
            "listings.feed_changed",
            f"Listings feed changed: {', '.join(changed)}",
            detail={"before": before, "after": after},
            target=f"listing_feed:{feed.pk}",
        )
    return feed


def poll_feed(feed: ListingFeed) -> ListingImport | None:
    """Fetch the feed (If-None-Match / If-Modified-Since) and import it when it changed.

    Returns the import, or None when the feed was unchanged (304) or could not be fetched;
    `last_result` / `last_error` say which.
    """
    headers = {"Accept": "application/xml, text/xml, */*", "User-Agent": USER_AGENT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    request = egress.OutgoingRequest(
        method="GET",
        url=feed.url,
        headers=headers,
        body=None,
        timeout=FEED_TIMEOUT_SECS,
        max_bytes=MAX_FILE_BYTES,
    )
    feed.checked_at = timezone.now()
    fields = ["checked_at", "last_result", "last_error", "etag", "last_modified", "updated_at"]
    try:
        response = egress.send_request(request)
    except egress.EgressError as error:
        feed.last_error = f"The feed could not be fetched: {error}"
        feed.last_result = "Fetch failed"
        feed.save(update_fields=fields)
        logger.warning("listing feed %s: %s", feed.pk, error)
        return None
    if response.status == 304:
        feed.last_result, feed.last_error = "Not modified since the last check", ""
        feed.save(update_fields=fields)
        return None
    if not 200 <= response.status < 300:
        feed.last_error = f"The feed answered HTTP {response.status}."
        feed.last_result = "Fetch failed"
        feed.save(update_fields=fields)
        return None
    result = import_reaxml(agency=feed.agency, content=response.body, name=feed.url, source="feed")
    if result.error:
        # Keep the old validators: the same broken file is fetched (and reported) again.
        feed.last_error, feed.last_result = result.error, "Refused"
    else:
        feed.etag = response.headers.get("etag", "")[:255]
        feed.last_modified = response.headers.get("last-modified", "")[:64]
        feed.last_error = ""
        feed.last_result = (
            f"{result.created} created, {result.updated} updated, {result.removed} removed, "
            f"{result.rejected} rejected"
        )
    feed.save(update_fields=fields)
    return result


def poll_due_feeds() -> int:
    """Poll every enabled feed whose interval has passed (the scheduled tick); returns how many."""
    polled = 0
    for feed in ListingFeed.objects.filter(enabled=True).select_related("agency"):
        if feed.is_due() and feed.agency.active:
            poll_feed(feed)
            polled += 1
    return polled
