from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from api.keys import purge_expired_idempotency_keys
from contacts.models import Contact

pytestmark = pytest.mark.usefixtures("numbers_washed")


def _create(api, body, key="order-42"):
    return api.post(
        "/api/v1/contacts", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_replayed_post_returns_the_first_answer_and_creates_one_contact(api, agency):
    body = {"name": "Jo Citizen", "phone": "0412 345 678", "tags": ["buyer"]}
    first = _create(api, body)
    again = _create(api, body)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Contact.objects.filter(agency=agency, phone="+61412345678").count() == 1


def test_the_same_key_with_another_body_is_refused(api):
    _create(api, {"name": "Jo Citizen", "phone": "0412 345 678"})
    response = _create(api, {"name": "Sam Citizen", "phone": "0412 999 888"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Contact.objects.filter(phone="+61412999888").exists()


def test_a_refusal_is_replayed_too(api):
    body = {"name": "No number", "phone": "not a number"}
    first = _create(api, body)
    again = _create(api, body)
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()


def test_without_a_key_each_post_acts(api):
    api.post("/api/v1/contacts", {"name": "A", "phone": "0412 345 678"}, "application/json")
    second = api.post(
        "/api/v1/contacts", {"name": "A", "phone": "0412 345 678"}, "application/json"
    )
    assert second.status_code == 400  # the number is taken: the first POST did act
    assert second.json()["error"]["field"] == "phone"


def test_keys_expire_after_24_hours_and_the_purge_removes_them(api):
    _create(api, {"name": "Jo Citizen", "phone": "0412 345 678"})
    assert purge_expired_idempotency_keys() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert purge_expired_idempotency_keys() == 1


def test_a_replayed_call_is_dialled_once(api, agency, within_calling_hours):
    from calls.models import Call
    from tests.factories import make_agent

    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1")
    body = {"agent": str(agent.pk), "to": "0412 345 678"}
    answers = [
        api.post("/api/v1/calls", body, "application/json", HTTP_IDEMPOTENCY_KEY="lead-8841")
        for _ in range(3)
    ]
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Call.objects.filter(to_phone="+61412345678").count() == 1


def test_a_key_whose_first_request_is_still_running_is_told_to_wait(api, agency):
    from api.models import ApiKey, IdempotencyKey

    body = {"name": "Jo Citizen", "phone": "0412 345 678"}
    _create(api, body)
    # As if the first request were still being answered by another worker.
    IdempotencyKey.objects.update(status_code=None, response_body=None)
    response = _create(api, body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_progress"
    assert ApiKey.objects.count() == 1
