"""The outcome remembers how its `call.analyzed` webhook was answered: sent, when, code."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from outcomes.models import Outcome
from tests.calls.conftest import post_event
from tests.factories import default_agency
from tests.outcomes.conftest import analysed_call
from tests.webhooks.receiver import receiver
from webhooks.endpoints import create_endpoint
from webhooks.tasks import deliver_due_webhooks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]


def test_a_refused_then_accepted_call_analyzed_delivery_is_recorded_on_the_outcome(client, agent):
    with receiver(statuses=(503, 200)) as (url, received):
        create_endpoint(agency=default_agency(), url=url, event_types=["call.analyzed"])
        # post_event runs what the view queues after commit: the first delivery attempt.
        response = post_event(client, analysed_call({"outcome": "callback_requested"}))
        assert response.status_code == 200

        outcome = Outcome.objects.get()
        assert len(received) == 1
        assert not outcome.webhook_sent and outcome.webhook_response_code == 503
        assert outcome.webhook_sent_at is None

        with time_machine.travel(timezone.now() + timedelta(minutes=1)):
            assert deliver_due_webhooks() == 1

    outcome.refresh_from_db()
    assert outcome.webhook_sent and outcome.webhook_response_code == 200
    assert outcome.webhook_sent_at is not None


def test_other_events_leave_the_outcome_alone(client, agent):
    with receiver() as (url, received):
        create_endpoint(agency=default_agency(), url=url, event_types=["call.completed"])
        post_event(client, analysed_call({"outcome": "callback_requested"}))

    outcome = Outcome.objects.get()
    assert not outcome.webhook_sent and outcome.webhook_response_code is None
