"""The stored event is the outbox: a burst of webhooks queues one drain, which processes all."""

import copy
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Schedule

from calls import tasks
from calls.models import Call, EventDrain, WebhookEvent
from calls.receiving import CLAIM_EXPIRY, DRAIN_QUEUE_EXPIRY
from tests.calls.conftest import post_event
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_tasks(monkeypatch):
    """Tasks go to the broker (ORM or Redis) instead of running inline, as under a worker."""
    monkeypatch.setattr(Conf, "SYNC", False)
    cache.clear()
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def _event(n: int) -> dict:
    event = copy.deepcopy(load_payload("post_call_transcription__inbound"))
    event["data"]["conversation_id"] = f"conv_burst_{n}"
    return event


def test_a_burst_of_webhooks_queues_one_drain_that_processes_them_all(
    client, agent, provider, queued_tasks
):
    for n in range(5):
        assert post_event(client, _event(n)).status_code == 200

    assert WebhookEvent.objects.count() == 5
    assert queued_tasks.queue_size() == 1, "one drain for the burst, not one task per webhook"
    assert Call.objects.count() == 0, "nothing is processed before the worker runs"

    tasks.drain_webhook_events()

    assert WebhookEvent.objects.filter(processed_at=None).count() == 0
    assert Call.objects.count() == 5


def test_a_webhook_arriving_while_a_drain_is_queued_writes_only_its_event(
    agent, provider, queued_tasks, django_assert_max_num_queries
):
    elevenlabs = Client()  # no session cookie, as ElevenLabs posts
    post_event(elevenlabs, _event(1))

    # Its event row and one read that finds the drain queued: no write to the drain's row.
    with django_assert_max_num_queries(2) as queries:
        assert post_event(elevenlabs, _event(2)).json() == {"status": "received"}

    assert not any(
        "event_drain" in query["sql"] for query in queries if "SELECT" not in query["sql"]
    )
    assert queued_tasks.queue_size() == 1
    tasks.drain_webhook_events()
    assert WebhookEvent.objects.filter(processed_at=None).count() == 0


def test_a_drain_that_finished_is_queued_again_by_the_next_webhook(
    client, agent, provider, queued_tasks
):
    post_event(client, _event(1))
    tasks.drain_webhook_events()
    queued_tasks.purge_queue()

    post_event(client, _event(2))

    assert queued_tasks.queue_size() == 1


def test_a_duplicate_delivery_queues_nothing(client, agent, provider, queued_tasks):
    post_event(client, _event(1))
    cache.clear()  # the kick window has passed

    assert post_event(client, _event(1)).json() == {"status": "duplicate"}
    assert WebhookEvent.objects.count() == 1
    assert queued_tasks.queue_size() == 1


def test_a_failing_event_does_not_stop_the_drain(
    client, agent, provider, queued_tasks, database_refusing_call
):
    database_refusing_call("conv_burst_1")
    post_event(client, _event(1))
    post_event(client, _event(2))

    tasks.drain_webhook_events()

    assert Call.objects.filter(elevenlabs_conversation_id="conv_burst_2").exists()
    failed = WebhookEvent.objects.get(conversation_id="conv_burst_1")
    assert failed.processed_at is None and failed.last_error
    assert failed.attempts == 1, "tried once per drain; the minute sweep tries again"


def test_an_event_whose_drain_cannot_be_queued_is_kept_acknowledged_and_swept(
    client, agent, provider, queued_tasks, monkeypatch, caplog
):
    def broker_unreachable(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("calls.queue.async_task", broker_unreachable)

    # The row is committed before the drain is queued: "received" is true, and a 500 would
    # count toward ElevenLabs disabling the webhook.
    assert post_event(client, _event(1)).json() == {"status": "received"}
    assert WebhookEvent.objects.filter(conversation_id="conv_burst_1", processed_at=None).exists()
    assert "could not queue their drain; the periodic sweep will process them" in caplog.text

    monkeypatch.undo()
    tasks.sweep_post_call_work()
    assert Call.objects.filter(elevenlabs_conversation_id="conv_burst_1").exists()


def test_the_worker_sweeps_lost_events_every_minute():
    call_command("migrate", "calls", verbosity=0)
    sweep = Schedule.objects.get(name="Sweep post-call work")
    assert sweep.func == "calls.tasks.sweep_post_call_work"
    assert sweep.schedule_type == Schedule.MINUTES and sweep.minutes == 1


def test_a_running_drain_is_left_to_find_the_new_event_and_an_expired_one_is_replaced(
    agent, provider, queued_tasks
):
    elevenlabs = Client()
    now = timezone.now()
    EventDrain.objects.create(pk=EventDrain.ONLY, started_at=now, queued_at=None)

    assert post_event(elevenlabs, _event(1)).json() == {"status": "received"}
    assert queued_tasks.queue_size() == 0, "the running drain looks again before it stops"

    # A drain whose claim expired (its worker died) and a queued task that expired are no
    # drain at all: the next webhook queues one.
    EventDrain.objects.filter(pk=EventDrain.ONLY).update(
        started_at=now - CLAIM_EXPIRY - timedelta(seconds=1),
        queued_at=now - DRAIN_QUEUE_EXPIRY - timedelta(seconds=1),
    )
    assert post_event(elevenlabs, _event(2)).json() == {"status": "received"}
    assert queued_tasks.queue_size() == 1
    tasks.drain_webhook_events()
    assert WebhookEvent.objects.filter(processed_at=None).count() == 0
