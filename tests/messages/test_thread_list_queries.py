"""The thread list reads one row per conversation: its queries do not grow with messages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import SmsMessage
from messages.models import Thread
from tests.factories import default_agency

pytestmark = pytest.mark.django_db


def build_messages(count: int, phones: int) -> None:
    """`count` messages spread over `phones` conversations, with their threads (bulk_create
    skips post_save, so the threads are written here as the signal would)."""
    agency = default_agency()
    start = timezone.now() - timedelta(days=30)
    SmsMessage.objects.bulk_create(
        (
            SmsMessage(
                agency=agency,
                direction="inbound" if n % 2 else "outbound",
                from_phone=f"+614{n % phones:08d}" if n % 2 else "+61280001234",
                to_phone="+61280001234" if n % 2 else f"+614{n % phones:08d}",
                body=f"Message {n}",
                sid=f"SM{n:032d}",
                status="received" if n % 2 else "delivered",
                created_at=start + timedelta(seconds=n),
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    Thread.objects.bulk_create(
        Thread(
            agency=agency,
            phone=f"+614{p:08d}",
            last_message_at=start + timedelta(seconds=count - phones + p),
            last_body=f"Message {count - phones + p}",
            unread_count=p % 3,
        )
        for p in range(phones)
    )


def test_thread_list_queries_stay_constant_with_100k_messages(
    staff_client, django_assert_max_num_queries
):
    build_messages(200, 100)
    with django_assert_max_num_queries(12) as few:
        staff_client.get(reverse("messages:list"))
    SmsMessage.objects.all().delete()
    Thread.objects.all().delete()

    build_messages(100_000, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = staff_client.get(reverse("messages:list")).content.decode()
    assert "Message 99999" in page
    thread = Thread.objects.order_by("-last_message_at").first()
    with django_assert_max_num_queries(len(few.captured_queries) + 4):
        staff_client.get(reverse("messages:thread", args=[thread.id]))
