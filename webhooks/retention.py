"""Keeping the delivery log to a useful size (the purge of the retention settings calls it)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from webhooks.models import Delivery, Event

DELIVERY_LOG_DAYS = 30


def purge_old_webhook_events(*, older_than: timedelta = timedelta(days=DELIVERY_LOG_DAYS)) -> int:
    """Delete events older than `older_than` with their deliveries and attempts, except an
    event still being retried; returns how many events went."""
    cutoff = timezone.now() - older_than
    retrying = Delivery.objects.filter(status=Delivery.Status.PENDING).values("event_id")
    old = Event.objects.filter(created_at__lt=cutoff).exclude(pk__in=retrying)
    deleted = old.count()
    old.delete()
    return deleted
