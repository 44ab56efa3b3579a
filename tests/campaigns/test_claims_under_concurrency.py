"""Racing dispatchers and a dispatcher killed mid-dial never ring anyone twice."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from calls.models import Call
from campaigns import engine
from campaigns.models import Job, JobCall
from tests.campaigns.helpers import (
    OUTBOUND_PATH,
    assert_counters_match_rows,
    dialled_numbers,
    finish_call,
    make_job,
    mobiles,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_four_racing_dispatchers_dial_each_row_once_and_respect_the_cap(live_provider_settings):
    live_provider_settings.latency = 0.05  # provider calls overlap with other claims
    phones = mobiles(12)
    job = make_job(phones, cap=3)
    in_flight_seen: list[int] = []
    errors: list[BaseException] = []

    deadline = time.monotonic() + 60  # bounded, but never by how fast a loaded machine is

    def dispatcher() -> None:
        try:
            while time.monotonic() < deadline:
                engine.dispatch_tick()
                in_flight_seen.append(
                    JobCall.objects.filter(job=job, status=JobCall.Status.CALLING).count()
                )
                # Calls "end" (as their webhooks would), possibly seen by several threads.
                for call in Call.objects.filter(
                    status=Call.Status.INITIATED, elevenlabs_conversation_id__isnull=False
                ):
                    finish_call(call, Call.Status.COMPLETED)
                if Job.objects.get(pk=job.pk).status == Job.Status.COMPLETED:
                    return
        except BaseException as error:  # surfaced below, in the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert sorted(dialled_numbers(live_provider_settings)) == sorted(phones)
    assert max(in_flight_seen) <= 3
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED and job.completed_calls == 12
    assert_counters_match_rows(job)


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_killed_mid_dial_is_neither_redialled_nor_skipped(live_provider_settings):
    fake = live_provider_settings
    phones = mobiles(3)
    job = make_job(phones, cap=1)
    fake.latency = 60  # the child blocks inside the provider call; then it is killed
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.campaigns.crash_settings",
        "CRASH_TEST_DATABASE": str(connection.settings_dict["NAME"]),
        "FAKE_PROVIDER_URL": fake.url,
    }
    child = subprocess.Popen(
        [sys.executable, "manage.py", "dispatch_campaigns"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: len(fake.requests_to("POST", OUTBOUND_PATH)) == 1 or child.poll())
        assert child.poll() is None, child.stderr.read().decode()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    fake.latency = 0

    first = JobCall.objects.select_related("call").get(job=job, batch_contact__phone=phones[0])
    assert first.status == JobCall.Status.CALLING
    assert first.call is not None and first.call.elevenlabs_conversation_id is None

    # The restarted worker, a while later: the lost row goes to review, the next is dialled.
    engine.dispatch_tick(now=timezone.now() + timedelta(minutes=10))

    first.refresh_from_db()
    assert first.status == JobCall.Status.NEEDS_REVIEW
    assert dialled_numbers(fake) == [phones[0], phones[1]]
    second = JobCall.objects.select_related("call").get(job=job, batch_contact__phone=phones[1])
    finish_call(second.call, Call.Status.COMPLETED)
    engine.dispatch_tick()
    assert dialled_numbers(fake) == phones  # nothing skipped, nothing rung twice
    assert_counters_match_rows(job)
