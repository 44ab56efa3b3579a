"""Where events happen, they reach subscribed endpoints: a call's end, a job's end; and
changes to keys and endpoints are recorded for the audit trail."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from api.keys import create_api_key
from tests.api.conftest import key_client
from tests.calls.conftest import post_event
from tests.factories import default_agency, make_agent
from tests.fakeprovider import load_payload
from tests.webhooks.receiver import receiver
from voqo.events import audit_event
from webhooks.endpoints import create_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]


def _types(received):
    return [json.loads(hit["body"])["type"] for hit in received]


def test_a_finished_call_reaches_the_endpoints_of_its_agent_only(client, live_provider_settings):
    agency = default_agency()
    lisa = make_agent(name="Lisa", elevenlabs_agent_id="agent_8701k3example")
    other = make_agent(name="Other", elevenlabs_agent_id="agent_other")
    with receiver() as (url, received), receiver() as (other_url, other_received):
        create_endpoint(agency=agency, url=url, event_types=["call.completed"], agent=lisa)
        create_endpoint(agency=agency, url=other_url, event_types=["call.completed"], agent=other)
        post_event(client, load_payload("post_call_transcription__inbound"))

    assert _types(received) == ["call.completed"] and other_received == []
    data = json.loads(received[0]["body"])["data"]
    assert data["status"] == "completed" and data["agent_id"] == str(lisa.pk)
    assert data["summary"].startswith("Priya asked about 12 Ocean Street")


def test_a_cancelled_job_announces_job_finished():
    agency = default_agency()
    agent = make_agent(elevenlabs_agent_id="agent_sandbox_1")
    api = key_client(create_api_key(agency=agency, name="CRM").secret)
    campaign = api.post("/api/v1/campaigns", {"name": "Spring"}, "application/json").json()
    csv = SimpleUploadedFile("spring.csv", b"name,phone\nJo,0412 345 678\n")
    upload = api.post("/api/v1/uploads", {"campaign": campaign["id"], "file": csv}).json()
    job = api.post(
        "/api/v1/jobs",
        {"campaign": campaign["id"], "upload": upload["id"], "agent": str(agent.pk)},
        "application/json",
    ).json()
    with receiver() as (url, received):
        create_endpoint(agency=agency, url=url, event_types=["job.finished"])
        with TestCase.captureOnCommitCallbacks(execute=True):
            api.post(f"/api/v1/jobs/{job['id']}/cancel")

    assert _types(received) == ["job.finished"]
    data = json.loads(received[0]["body"])["data"]
    assert data["id"] == job["id"] and data["status"] == "cancelled"


def test_key_and_endpoint_changes_are_recorded_for_the_audit_trail(client):
    from tests.factories import make_staff_user

    records = []

    def keep(sender, **kwargs):
        records.append((kwargs["kind"], kwargs["actor"], kwargs["summary"]))

    audit_event.connect(keep, dispatch_uid="test-audit")
    try:
        owner = make_staff_user(username="owner")
        client.force_login(owner)
        client.post("/settings/api-keys/", {"name": "CRM"})
        key = create_api_key(agency=default_agency(), name="Automation")
        api = key_client(key.secret)
        created = api.post(
            "/api/v1/webhook-endpoints",
            {"url": "https://crm.example.com/hooks", "event_types": ["test.ping"]},
            "application/json",
        ).json()
        api.patch(
            f"/api/v1/webhook-endpoints/{created['id']}", {"active": False}, "application/json"
        )
        api.delete(f"/api/v1/webhook-endpoints/{created['id']}")
        client.post(f"/settings/api-keys/{key.api_key.pk}/revoke/")
    finally:
        audit_event.disconnect(dispatch_uid="test-audit")

    kinds = [kind for kind, _actor, _summary in records]
    assert kinds == [
        "api_key.created",
        "api_key.created",
        "webhook_endpoint.created",
        "webhook_endpoint.changed",
        "webhook_endpoint.deleted",
        "api_key.revoked",
    ]
    assert records[0][1] == owner and records[-1][1] == owner
    assert "through the API key “Automation”" in records[2][2]
