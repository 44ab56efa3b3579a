import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from tests.api.conftest import key_client
from tests.factories import default_agency, make_staff_user
from tests.webhooks.receiver import counting_listener, receiver
from webhooks.endpoints import create_endpoint
from webhooks.models import Delivery, Endpoint
from webhooks.sending import attempt_delivery, send_test_event
from webhooks.tasks import deliver_due_webhooks, deliver_webhook


def ping_endpoint(url: str) -> Endpoint:
    """An endpoint of the default agency that takes the test event only."""
    return create_endpoint(agency=default_agency(), url=url, event_types=["test.ping"]).endpoint


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]


def documented_recipe():
    """The `verify` function exactly as the README's "API and webhooks" section gives it."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("Verifying a delivery in Python:", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace["verify"]


def test_a_test_event_arrives_signed_and_the_documented_recipe_verifies_it(
    db, django_capture_on_commit_callbacks
):
    with receiver() as (url, received):
        created = create_endpoint(agency=default_agency(), url=url, event_types=["test.ping"])
        with django_capture_on_commit_callbacks(execute=True):
            send_test_event(endpoint=created.endpoint)

    assert len(received) == 1
    body, headers = received[0]["body"], received[0]["headers"]
    verify = documented_recipe()
    assert verify(created.secret, headers["Voqo-Signature"], body)
    assert not verify("whsec_wrong", headers["Voqo-Signature"], body)
    assert not verify(created.secret, headers["Voqo-Signature"], body + b" ")
    event = json.loads(body)
    assert set(event) == {"id", "type", "created", "agency", "data"}
    assert event["type"] == "test.ping" and event["agency"] == str(default_agency().pk)
    delivery = Delivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempt_log.get().response_status == 200


def test_a_receiver_failing_twice_gets_the_same_event_id_three_times(
    db, django_capture_on_commit_callbacks
):
    with receiver(statuses=(500, 503, 200)) as (url, received):
        endpoint = ping_endpoint(url)
        with django_capture_on_commit_callbacks(execute=True):
            send_test_event(endpoint=endpoint)
        assert Delivery.objects.get().status == "pending"
        assert deliver_due_webhooks() == 0  # not due yet: backoff
        with time_machine.travel(timezone.now() + timedelta(minutes=1)):
            assert deliver_due_webhooks() == 1
        with time_machine.travel(timezone.now() + timedelta(minutes=10)):
            assert deliver_due_webhooks() == 1

    ids = [json.loads(hit["body"])["id"] for hit in received]
    assert len(ids) == 3 and len(set(ids)) == 1
    assert {hit["headers"]["Voqo-Event-Id"] for hit in received} == set(ids)
    delivery = Delivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempts == 3
    assert Endpoint.objects.get().failing_since is None


def test_an_ssrf_refused_url_is_never_connected_to(db, django_capture_on_commit_callbacks):
    with counting_listener() as (port, accepted):
        endpoint = ping_endpoint(f"http://127.0.0.1:{port}/")
        with django_capture_on_commit_callbacks(execute=True):
            send_test_event(endpoint=endpoint)
        time.sleep(0.3)  # give a stray connection time to be counted (not a timing assertion)
    assert accepted == []
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and "Refused to connect" in delivery.last_error


def test_an_endpoint_failing_for_three_days_is_disabled_and_says_why(
    db, django_capture_on_commit_callbacks, client
):
    with receiver(statuses=(500,)) as (url, received):
        endpoint = ping_endpoint(url)
        with django_capture_on_commit_callbacks(execute=True):
            send_test_event(endpoint=endpoint)
        start = timezone.now()
        for hours in range(6, 80, 6):
            with time_machine.travel(start + timedelta(hours=hours)):
                deliver_due_webhooks()

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "every delivery failed for 3 days" in endpoint.disabled_reason
    assert Delivery.objects.get().status == "failed"
    client.force_login(make_staff_user(username="owner"))
    page = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "every delivery failed for 3 days" in page


def test_domain_events_reach_only_matching_endpoints(db, django_capture_on_commit_callbacks):
    from api.keys import create_api_key

    agency = default_agency()
    with receiver() as (url, received), receiver() as (other_url, other_received):
        create_endpoint(agency=agency, url=url, event_types=["contact.created"])
        create_endpoint(agency=agency, url=other_url, event_types=["contact.opted_out"])
        api = key_client(create_api_key(agency=agency, name="CRM").secret)
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/contacts", {"name": "Jo", "phone": "0412345678"}, "application/json")
        with django_capture_on_commit_callbacks(execute=True):
            contact_id = json.loads(received[0]["body"])["data"]["id"]
            api.post(f"/api/v1/contacts/{contact_id}/opt-out")

    assert [json.loads(hit["body"])["type"] for hit in received] == ["contact.created"]
    [opted_out] = [json.loads(hit["body"]) for hit in other_received]
    assert opted_out["type"] == "contact.opted_out"
    assert opted_out["data"]["id"] == contact_id and opted_out["data"]["opted_out_at"]


def test_owners_resend_a_delivery_with_the_same_event_id(
    db, client, django_capture_on_commit_callbacks
):
    with receiver() as (url, received):
        endpoint = ping_endpoint(url)
        client.force_login(make_staff_user(username="owner"))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/settings/webhooks/{endpoint.pk}/test/")
        delivery = Delivery.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/"
            )
        assert response.status_code == 302
        page = client.get(f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/")

    assert len(received) == 2
    assert len({json.loads(hit["body"])["id"] for hit in received}) == 1
    assert page.content.decode().count("HTTP 200") == 2


def test_the_api_sends_a_test_event_lists_deliveries_and_resends_one(
    db, django_capture_on_commit_callbacks
):
    from api.keys import create_api_key

    agency = default_agency()
    api = key_client(create_api_key(agency=agency, name="CRM").secret)
    with receiver() as (url, received):
        endpoint = api.post(
            "/api/v1/webhook-endpoints",
            {"url": url, "event_types": ["call.completed"]},
            "application/json",
        ).json()
        base = f"/api/v1/webhook-endpoints/{endpoint['id']}"
        with django_capture_on_commit_callbacks(execute=True):
            sent = api.post(f"{base}/test")
        assert sent.status_code == 202 and sent.json()["event_type"] == "test.ping"
        [delivery] = api.get(f"{base}/deliveries").json()["data"]
        assert delivery["status"] == "succeeded" and delivery["attempts"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            again = api.post(f"{base}/deliveries/{delivery['id']}/resend")
        assert again.status_code == 202

    assert [json.loads(hit["body"])["id"] for hit in received] == [delivery["event_id"]] * 2


def test_the_purge_drops_old_events_but_keeps_those_still_retrying(
    db, django_capture_on_commit_callbacks
):
    from webhooks.models import Event
    from webhooks.retention import purge_old_webhook_events

    with receiver(statuses=(200,)) as (url, _received):
        endpoint = ping_endpoint(url)
        with django_capture_on_commit_callbacks(execute=True):
            send_test_event(endpoint=endpoint)
    with receiver(statuses=(500,)) as (url, _received):
        failing = ping_endpoint(url)
        with django_capture_on_commit_callbacks(execute=True):
            send_test_event(endpoint=failing)

    assert purge_old_webhook_events() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert purge_old_webhook_events() == 1
    assert Event.objects.get().deliveries.get().status == "pending"


def test_a_delivery_to_a_healthy_endpoint_takes_four_queries(
    db, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # Claim, read, record the attempt, record the outcome: a worker's whole share of the
    # database per delivery (a failing endpoint's recovery costs one more).
    with receiver() as (url, received):
        endpoint = ping_endpoint(url)
        with django_capture_on_commit_callbacks(execute=False):
            send_test_event(endpoint=endpoint)
        delivery = Delivery.objects.get()
        with django_assert_max_num_queries(4):
            deliver_webhook(str(delivery.pk))

    assert len(received) == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1


def test_a_delivery_held_by_another_worker_or_already_sent_is_not_sent_again(
    db, django_capture_on_commit_callbacks
):
    with receiver() as (url, received):
        endpoint = ping_endpoint(url)
        with django_capture_on_commit_callbacks(execute=False):
            send_test_event(endpoint=endpoint)
        delivery = Delivery.objects.get()
        # Another worker's claim: its lease has not run out.
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() + timedelta(minutes=1)
        )
        assert attempt_delivery(delivery.pk) is False
        assert received == []

        with time_machine.travel(timezone.now() + timedelta(minutes=2)):  # the lease ran out
            assert attempt_delivery(delivery.pk) is True
            assert attempt_delivery(delivery.pk) is False  # sent: not pending any more

    assert len(received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 1, None)
    attempt = delivery.attempt_log.get()
    assert (attempt.response_status, attempt.error) == (200, "")
    assert attempt.request_headers["Voqo-Event-Id"] == json.loads(attempt.request_body)["id"]
