"""Duplicate and concurrent deliveries against a real server: one call, one SMS, no repeats."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from calls import followup_sms, receiving
from calls.models import Call, SmsMessage, WebhookEvent
from contacts.models import Contact, Memory
from tests.factories import make_agent
from tests.fakeprovider import load_payload, post_signed_elevenlabs_webhook

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_concurrent_duplicate_deliveries_make_one_call_one_sms(live_server, provider):
    make_agent(name="Lisa", elevenlabs_agent_id="agent_8701k3example")
    event = load_payload("post_call_transcription__inbound")
    url = f"{live_server.url}/webhooks/elevenlabs/post-call"
    start = threading.Barrier(20)

    def deliver(_):
        start.wait()
        return post_signed_elevenlabs_webhook(url, event, "whsec_test", timeout=60).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(deliver, range(20)))

    assert statuses == [200] * 20
    assert WebhookEvent.objects.count() == 1
    assert Call.objects.count() == 1
    call = Call.objects.get()
    assert call.sms_status == "sent" and call.sms_sent
    assert len(provider.requests_to("POST", "/2010-04-01/Accounts/")) == 1
    assert SmsMessage.objects.count() == 1
    assert Contact.objects.count() == 1
    assert Memory.objects.count() == 3


def test_concurrent_workers_process_one_event_once(provider):
    make_agent(name="Lisa", elevenlabs_agent_id="agent_8701k3example")
    event = load_payload("post_call_transcription__inbound")
    stored = WebhookEvent.objects.create(
        event_type=event["type"], conversation_id=event["data"]["conversation_id"], payload=event
    )
    # Stored without queueing: the workers below race for it as a lost task's retries would.
    start = threading.Barrier(8)

    def work(_):
        start.wait()
        try:
            receiving.process_webhook_event(stored.pk)
            followup_sms.send_post_call_sms(
                Call.objects.filter(elevenlabs_conversation_id="conv_0101k3example")
                .values_list("pk", flat=True)
                .first()
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))

    assert Call.objects.count() == 1
    assert Memory.objects.count() == 3
    assert len(provider.requests_to("POST", "/2010-04-01/Accounts/")) == 1
    assert WebhookEvent.objects.get().attempts == 1
