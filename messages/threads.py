"""SMS threads: the one writer of Thread rows (every stored SmsMessage lands in its thread),
and the reads of the Messages page.

Every path that stores an SMS (the post-call follow-up, an inbound reply, a manual message)
creates an SmsMessage row; its post_save puts it in the (agency, number) thread, so no
sender needs to know about threads.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from calls.models import SmsMessage
from calls.replies import opt_keyword
from messages.models import Thread

PREVIEW_LENGTH = 200
# How often an open page asks for new messages: often while a conversation is live, less
# and less as it goes quiet (HTMX re-reads the interval from each answer).
POLL_STEPS = ((timedelta(minutes=2), 3), (timedelta(minutes=15), 10), (timedelta(hours=2), 30))
IDLE_POLL_SECONDS = 60
THREAD_PAGE_SIZE = 100


def thread_phone(message: SmsMessage) -> str:
    """The other party's number: the sender of a reply, the recipient of what we sent."""
    inbound = message.direction == SmsMessage.Direction.INBOUND
    return message.from_phone if inbound else message.to_phone


def on_message_saved(sender, instance: SmsMessage, created: bool, **kwargs) -> None:
    if created and not kwargs.get("raw"):
        note_message(instance)


def note_message(message: SmsMessage) -> None:
    """Put a new message in its thread: newest-message fields, and one more unread when it
    is a reply. Safe under concurrent messages to the same thread."""
    phone = thread_phone(message)
    inbound = int(message.direction == SmsMessage.Direction.INBOUND)
    latest = {
        "last_message_at": message.created_at,
        "last_body": message.body[:PREVIEW_LENGTH],
        "last_direction": message.direction,
    }
    if message.contact_id:
        latest["contact_id"] = message.contact_id
    threads = Thread.objects.filter(agency_id=message.agency_id, phone=phone)
    # Conditional UPDATEs: a message older than the thread's newest only adds to unread.
    if threads.filter(last_message_at__lte=message.created_at).update(
        unread_count=F("unread_count") + inbound, **latest
    ):
        return
    if threads.update(unread_count=F("unread_count") + inbound):
        return
    try:
        with transaction.atomic():
            Thread.objects.create(
                agency_id=message.agency_id, phone=phone, unread_count=inbound, **latest
            )
    except IntegrityError:  # a concurrent message created it first
        note_message(message)


def rebuild_threads(agency) -> int:
    """Write the agency's threads afresh from its messages (after a bulk insert that skipped
    post_save), all read; returns how many threads there are."""
    latest: dict[str, Thread] = {}
    rows = SmsMessage.objects.filter(agency=agency).order_by("created_at")
    for message in rows.iterator():
        phone = thread_phone(message)
        previous = latest.get(phone)
        latest[phone] = Thread(
            agency=agency,
            phone=phone,
            contact_id=message.contact_id or (previous.contact_id if previous else None),
            last_message_at=message.created_at,
            last_body=message.body[:PREVIEW_LENGTH],
            last_direction=message.direction,
        )
    with transaction.atomic():
        Thread.objects.filter(agency=agency).delete()
        Thread.objects.bulk_create(latest.values(), batch_size=500)
    return len(latest)


def thread_list(agency) -> QuerySet[Thread]:
    """The agency's threads, newest message first."""
    return (
        Thread.objects.filter(agency=agency).select_related("contact").order_by("-last_message_at")
    )


def unread_total(agency) -> int:
    """Unread replies across the agency's threads (the sidebar's count)."""
    total = Thread.objects.filter(agency=agency, unread_count__gt=0).aggregate(
        total=Sum("unread_count")
    )["total"]
    return total or 0


def mark_read(thread: Thread) -> None:
    Thread.objects.filter(pk=thread.pk, unread_count__gt=0).update(unread_count=0)


def thread_messages(thread: Thread, *, limit: int = THREAD_PAGE_SIZE) -> list[SmsMessage]:
    """The thread's latest messages, oldest first, each marked with its STOP/START effect."""
    messages = list(
        SmsMessage.objects.filter(agency_id=thread.agency_id)
        .filter(
            Q(direction=SmsMessage.Direction.INBOUND, from_phone=thread.phone)
            | Q(direction=SmsMessage.Direction.OUTBOUND, to_phone=thread.phone)
        )
        .select_related("call")
        .order_by("-created_at")[:limit]
    )
    messages.reverse()
    for message in messages:
        inbound = message.direction == SmsMessage.Direction.INBOUND
        message.opt_effect = opt_keyword(message.body) if inbound else ""
    return messages


def poll_seconds(latest: datetime | None, now: datetime | None = None) -> int:
    """How long an open page waits before asking again, given the newest message's time."""
    if latest is None:
        return IDLE_POLL_SECONDS
    age = (now or timezone.now()) - latest
    for within, seconds in POLL_STEPS:
        if age < within:
            return seconds
    return IDLE_POLL_SECONDS
