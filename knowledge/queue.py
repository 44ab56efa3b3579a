"""The knowledge domain's one door to the task queue: its task paths, named once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_q.tasks import async_task

PROCESS_DOCUMENT = "knowledge.tasks.process_document"
REGENERATE_LISTINGS_DOCUMENT = "knowledge.tasks.regenerate_listings_document"
REFRESH_LISTINGS_DOCUMENTS = "knowledge.tasks.refresh_listings_documents"
REFRESH_SCHEDULE_NAME = "Refresh listings documents"
# Imports often come in bursts (a feed, then a CSV, then a correction): wait this long after
# a stock change so one upload covers them all.
LISTINGS_DEBOUNCE = timedelta(minutes=2)


def queue_processing(document_id) -> None:
    """Extract, upload and attach one document (after it was added or changed)."""
    async_task(
        PROCESS_DOCUMENT, str(document_id), task_name=f"knowledge {document_id}", group="knowledge"
    )


def listings_schedule_name(agency_id) -> str:
    return f"listings-document-{agency_id}"


def schedule_listings_regeneration(agency_id) -> bool:
    """Regenerate the agency's listings document in LISTINGS_DEBOUNCE, once however many
    stock changes arrive meanwhile; returns False when one is already scheduled."""
    from django_q.models import Schedule

    _schedule, created = Schedule.objects.get_or_create(
        name=listings_schedule_name(agency_id),
        defaults={
            "func": REGENERATE_LISTINGS_DOCUMENT,
            "args": repr((str(agency_id),)),
            "schedule_type": Schedule.ONCE,
            "repeats": -1,
            "next_run": timezone.now() + LISTINGS_DEBOUNCE,
        },
    )
    return created


def ensure_refresh_schedule(sender, **kwargs) -> None:
    """Once a day every listings document is written again: inspections pass even when stock
    does not change (created once per migrate; unchanged text is not uploaded)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=REFRESH_SCHEDULE_NAME,
        defaults={
            "func": REFRESH_LISTINGS_DOCUMENTS,
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )
