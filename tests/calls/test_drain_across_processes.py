"""At most one drain is queued or running at a time across every web process, and a drain
with nothing to do returns at once — through a real gunicorn with several workers."""

import copy
from concurrent.futures import ThreadPoolExecutor

import pytest
from django_q.brokers import get_broker

from calls import tasks
from calls.models import Call, EventDrain, WebhookEvent
from tests.factories import make_agent
from tests.fakeprovider import load_payload, post_signed_elevenlabs_webhook
from tests.voqo.served import gunicorn


@pytest.fixture
def gunicorn_url(transactional_db):
    """gunicorn with three workers on this test's database; tasks go to the broker."""
    broker = get_broker()
    broker.purge_queue()
    with gunicorn(workers=3) as url:
        yield url
    broker.purge_queue()


def test_a_burst_through_three_gunicorn_workers_queues_one_drain(gunicorn_url, settings):
    make_agent(name="Lisa", elevenlabs_agent_id="agent_8701k3example", sync_status="synced")
    events = []
    for n in range(30):
        event = copy.deepcopy(load_payload("post_call_transcription__no_name"))
        event["data"]["conversation_id"] = f"conv_gunicorn_{n}"
        events.append(event)

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(
            pool.map(
                lambda event: post_signed_elevenlabs_webhook(
                    gunicorn_url + "/webhooks/elevenlabs/post-call", event, "whsec_test"
                ),
                events,
            )
        )

    assert [response.status for response in responses] == [200] * 30
    assert WebhookEvent.objects.count() == 30
    assert get_broker().queue_size() == 1, "one drain for the whole burst, whichever worker got it"

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    tasks.drain_webhook_events()

    assert Call.objects.count() == 30
    assert WebhookEvent.objects.filter(processed_at=None).count() == 0
    drain = EventDrain.objects.get()
    assert drain.queued_at is None and drain.started_at is None


@pytest.mark.django_db
def test_an_empty_drain_returns_at_once(django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert tasks.drain_webhook_events() == "0 event(s) processed"


@pytest.mark.django_db
def test_a_drain_started_while_another_runs_returns_at_once_without_work():
    from django.utils import timezone

    EventDrain.objects.create(started_at=timezone.now())
    WebhookEvent.objects.create(
        event_type="post_call_transcription",
        conversation_id="conv_waiting",
        payload=load_payload("post_call_transcription__inbound"),
    )

    assert tasks.drain_webhook_events() == "0 event(s) processed"
    assert WebhookEvent.objects.get().attempts == 0  # left to the running drain
