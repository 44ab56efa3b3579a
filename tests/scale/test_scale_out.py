"""Scale-out: three gunicorns and two qclusters on one PostgreSQL database and Redis broker
run a campaign against the fake provider, whose calls end by themselves and send signed
post-call webhooks round-robin to the three web processes.

No number is dialled twice, the calls live at once never exceed the job's cap, and every
call's outcome is recorded. Runs on the scale path only (`make test-postgres`): the
processes share the test database, so the test commits (transactional_db).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from bench.scaleout import refill_delays, run_campaign
from campaigns.models import Job, JobCall
from tests.factories import default_agency

ROWS, CAP = 200, 5

on_the_scale_path = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or not settings.REDIS_URL,
    reason="the scale-out proof needs PostgreSQL and Redis (make test-postgres)",
)


@on_the_scale_path
@pytest.mark.django_db(transaction=True)
def test_three_web_processes_and_two_workers_dial_each_number_once_within_the_cap():
    assert connection.vendor == "postgresql"

    result = run_campaign(
        agency=default_agency(), rows=ROWS, cap=CAP, call_seconds=0.2, web=3, workers=2
    )

    assert result["dialled"] == ROWS
    assert result["duplicates"] == 0
    assert result["max_live_calls"] <= CAP
    # Every webhook went through a web process, each of the three took its share, all 200.
    assert result["webhook_statuses"] == {"200": ROWS}
    assert all(count >= ROWS // 3 for count in result["webhooks_per_web"].values())
    # Every outcome recorded: each row completed, each call with its post-call data.
    assert result["completed_rows"] == ROWS
    assert result["needs_review_rows"] == 0
    assert result["outcomes_recorded"] == ROWS
    assert result["webhook_events_unprocessed"] == 0
    job = Job.objects.get(campaign__name__startswith="Scale-out")
    assert job.status == Job.Status.COMPLETED
    assert job.completed_calls == ROWS
    assert not JobCall.objects.filter(job=job).exclude(status=JobCall.Status.COMPLETED).exists()


def test_refill_delays_pair_each_ended_call_with_the_next_dial_on_its_slot():
    calls = [
        {"dialled_at": 0.0, "ended_at": 1.0},
        {"dialled_at": 0.1, "ended_at": 1.5},
        {"dialled_at": 1.2, "ended_at": 2.0},  # took the slot freed at 1.0
        {"dialled_at": 1.6, "ended_at": 3.0},  # took the slot freed at 1.5
    ]

    assert refill_delays(calls, cap=2) == pytest.approx([0.2, 0.1])
