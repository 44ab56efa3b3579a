"""At most one drain is queued or running at a time across every web process, and a drain
with nothing to do returns at once — through a real gunicorn with several workers."""

import copy
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django_q.models import OrmQ

from calls import queue, tasks
from calls.models import Call, EventDrain, WebhookEvent
from tests.factories import make_agent
from tests.fakeprovider import load_payload, post_signed_elevenlabs_webhook

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_url(transactional_db):
    """gunicorn with three sync workers on this test's database file."""
    assert connection.vendor == "sqlite"
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.calls.gunicorn_settings",
        "GUNICORN_TEST_DATABASE": connection.settings_dict["NAME"],
    }
    server = subprocess.Popen(
        [str(GUNICORN), "voqo.wsgi:application", "--workers", "3", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _queued_drains() -> int:
    return sum(1 for row in OrmQ.objects.all() if row.func() == queue.DRAIN_WEBHOOK_EVENTS)


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
    assert _queued_drains() == 1, "one drain for the whole burst, whichever worker got it"

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
