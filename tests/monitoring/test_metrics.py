"""/metrics serves Voqo's figures in the Prometheus text format to a scraper holding the
token, and nothing to anyone else."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Task
from prometheus_client.parser import text_string_to_metric_families

from calls.models import SmsMessage, WebhookEvent
from tests.factories import default_agency, make_call

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-metrics-token"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def _samples(response) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_count_webhooks_calls_sms_jobs_queue_and_failures(
    client, metrics_on, django_assert_max_num_queries
):
    for _ in range(3):
        make_call(status="completed")
    make_call(status="no_answer")
    WebhookEvent.objects.create(
        event_type="post_call_transcription", conversation_id="c1", payload={}
    )
    SmsMessage.objects.create(
        agency=default_agency(),
        direction="outbound",
        from_phone="+1",
        to_phone="+2",
        sid="SM1",
        status="delivered",
    )
    now = timezone.now()
    Task.objects.create(id="t1", name="t1", func="x", started=now, stopped=now, success=False)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = _samples(response)
    assert samples[("voqo_calls", (("status", "completed"),))] == 3
    assert samples[("voqo_calls", (("status", "no_answer"),))] == 1
    assert (
        samples[("voqo_webhooks_received_total", (("event_type", "post_call_transcription"),))] == 1
    )
    assert samples[("voqo_sms", (("status", "delivered"),))] == 1
    assert samples[("voqo_tasks_finished_total", (("outcome", "failure"),))] == 1
    assert ("voqo_queue_depth", ()) in samples
    assert ("voqo_worker_heartbeat_age_seconds", ()) in samples


@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Basic {TOKEN}"])
def test_metrics_without_the_token_are_refused(client, metrics_on, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(reverse("metrics"), **extra)
    assert response.status_code == 401
    assert b"Authorization: Bearer" in response.content
    assert b"voqo_calls" not in response.content


def test_metrics_are_off_until_a_token_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404
    assert b"set METRICS_TOKEN" in response.content
