import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

from calls.models import Call
from campaigns.models import Job
from contacts.models import Contact
from functions.models import CustomFunction
from tests.factories import make_agent, make_call, make_contact, make_memory

pytestmark = pytest.mark.usefixtures("numbers_washed")


def _json(response):
    assert response.status_code < 300, response.content
    return response.json()


def test_contacts_are_found_by_a_number_in_any_format(api, agency):
    contact = make_contact(agency=agency, phone="+61412345678", name="Jo Citizen")
    make_contact(agency=agency, phone="+61412000111")
    for typed in ("0412 345 678", "+61 412 345 678", "61412345678"):
        page = _json(api.get("/api/v1/contacts", {"phone": typed}))
        assert [row["id"] for row in page["data"]] == [str(contact.pk)]
    assert _json(api.get("/api/v1/contacts", {"q": "jo cit"}))["data"][0]["name"] == "Jo Citizen"
    bad = api.get("/api/v1/contacts", {"phone": "banana"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "phone"


def test_a_contact_is_created_updated_tagged_and_deleted(api, agency):
    created = _json(
        api.post(
            "/api/v1/contacts",
            {"name": "Jo", "phone": "0412 345 678", "tags": ["buyer", "vip"]},
            "application/json",
        )
    )
    assert created["phone"] == "+61412345678" and created["tags"] == ["buyer", "vip"]
    url = f"/api/v1/contacts/{created['id']}"
    updated = _json(api.patch(url, {"notes": "Prefers mornings"}, "application/json"))
    assert updated["notes"] == "Prefers mornings" and updated["tags"] == ["buyer", "vip"]
    assert _json(api.get("/api/v1/contacts", {"tag": "vip"}))["data"][0]["id"] == created["id"]
    assert api.delete(url).status_code == 204
    assert not Contact.objects.filter(pk=created["id"]).exists()


def test_a_duplicate_number_is_refused_with_the_field(api, agency):
    make_contact(agency=agency, phone="+61412345678", name="Jo")
    response = api.post(
        "/api/v1/contacts", {"name": "Sam", "phone": "0412345678"}, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "phone"
    assert "already has this number" in response.json()["error"]["message"]


def test_memories_are_listed_added_and_deleted(api, agency):
    contact = make_contact(agency=agency)
    make_memory(contact, "Budget around $1.2M")
    url = f"/api/v1/contacts/{contact.pk}/memories"
    assert _json(api.get(url))["data"][0]["content"] == "Budget around $1.2M"
    added = _json(api.post(url, {"content": "Has a dog"}, "application/json"))
    assert added["source"] == "manual"
    assert api.delete(f"{url}/{added['id']}").status_code == 204
    assert len(_json(api.get(url))["data"]) == 1


def test_calls_are_filtered_like_the_calls_page_and_read_with_their_transcript(api, agency):
    inbound = make_call(agency=agency, direction=Call.Direction.INBOUND, outcome="booked")
    make_call(agency=agency, direction=Call.Direction.OUTBOUND, status=Call.Status.NO_ANSWER)
    page = _json(api.get("/api/v1/calls", {"direction": "inbound"}))
    assert [row["id"] for row in page["data"]] == [str(inbound.pk)]
    detail = _json(api.get(f"/api/v1/calls/{inbound.pk}"))
    assert detail["summary"] and detail["transcript"][0]["message"]
    assert detail["outcome"] == "booked" and "sms_status" in detail
    bad = api.get("/api/v1/calls", {"status": "exploded"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"


def test_placing_a_call_to_a_number(api, agency, within_calling_hours):
    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1")
    response = api.post(
        "/api/v1/calls",
        {"agent": str(agent.pk), "to": "0412 345 678", "dynamic_variables": {"suburb": "Manly"}},
        "application/json",
    )
    call = _json(response)
    assert response.status_code == 201
    assert call["to_phone"] == "+61412345678" and call["direction"] == "outbound"
    assert call["dynamic_variables"]["suburb"] == "Manly"


def test_an_opted_out_contact_is_refused_with_the_reason(api, agency, within_calling_hours):
    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1")
    contact = make_contact(agency=agency, phone="+61412345678")
    api.post(f"/api/v1/contacts/{contact.pk}/opt-out")
    response = api.post(
        "/api/v1/calls", {"agent": str(agent.pk), "contact": str(contact.pk)}, "application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "call_refused"
    assert "opted out" in response.json()["error"]["message"]
    assert not Call.objects.filter(to_phone="+61412345678").exists()


def test_outside_calling_hours_the_call_is_refused_with_when_it_opens(
    api, agency, after_calling_hours
):
    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1")
    response = api.post(
        "/api/v1/calls", {"agent": str(agent.pk), "to": "0412 345 678"}, "application/json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "outside_calling_window" and "Voqo may call from" in error["message"]


def test_a_call_needs_a_number_or_a_contact_and_an_agent_of_this_agency(api, agency):
    other_agent = make_agent(agency=make_contact().agency)  # same agency, but check the shape
    response = api.post("/api/v1/calls", {"agent": str(other_agent.pk)}, "application/json")
    assert response.json()["error"]["field"] == "to"
    response = api.post(
        "/api/v1/calls",
        {"agent": "00000000-0000-0000-0000-000000000000", "to": "0412345678"},
        "application/json",
    )
    assert response.json()["error"]["field"] == "agent"


def test_an_agent_is_created_synced_and_updated(api):
    created = _json(
        api.post(
            "/api/v1/agents",
            {"name": "Sales line", "system_prompt": "You sell homes for {{agency_name}}."},
            "application/json",
        )
    )
    assert created["sync_status"] == "synced" and created["elevenlabs_agent_id"]
    url = f"/api/v1/agents/{created['id']}"
    assert _json(api.patch(url, {"temperature": 0.3}, "application/json"))["temperature"] == 0.3
    assert _json(api.post(f"{url}/sync"))["sync_status"] == "synced"
    bad = api.patch(url, {"temperature": 5}, "application/json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "temperature"


def test_a_campaign_upload_becomes_a_job_that_starts_pauses_and_cancels(api, agency):
    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1")
    campaign = _json(api.post("/api/v1/campaigns", {"name": "Spring"}, "application/json"))
    csv = b"name,phone,suburb\nJo,0412 345 678,Manly\nSam,0412 345 679,Curl Curl\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = _json(
        api.post(
            "/api/v1/uploads",
            {"campaign": campaign["id"], "file": SimpleUploadedFile("spring.csv", csv)},
        )
    )
    assert upload["total_rows"] == 2 and upload["variable_keys"] == ["suburb"]
    job = _json(
        api.post(
            "/api/v1/jobs",
            {"campaign": campaign["id"], "upload": upload["id"], "agent": str(agent.pk)},
            "application/json",
        )
    )
    assert job["status"] == "pending" and job["total_calls"] == 2
    url = f"/api/v1/jobs/{job['id']}"
    assert _json(api.post(f"{url}/start"))["status"] in ("running", "completed")
    Job.objects.filter(pk=job["id"]).update(status=Job.Status.RUNNING)
    assert _json(api.post(f"{url}/pause"))["status"] == "paused"
    again = api.post(f"{url}/pause")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_action_refused"
    assert _json(api.post(f"{url}/cancel"))["status"] == "cancelled"


def test_a_file_that_is_not_a_campaign_csv_is_refused_and_not_kept(api, agency, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    campaign = _json(api.post("/api/v1/campaigns", {"name": "Spring"}, "application/json"))
    response = api.post(
        "/api/v1/uploads",
        {"campaign": campaign["id"], "file": SimpleUploadedFile("x.csv", b"\x00\x01\x02")},
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["message"]
    assert not list((tmp_path / "uploads").glob("*.csv"))


def test_custom_functions_never_show_their_secrets(api, agency):
    agent = make_agent(agency=agency)
    CustomFunction.objects.create(
        agency=agency,
        agent=agent,
        name="check_property",
        description="Is it available?",
        endpoint="https://api.example.com/properties",
        auth_type="bearer",
        auth_config={"token": "sk_live_secret"},
        secret_headers={"X-Api-Key": "hush"},
    )
    body = api.get("/api/v1/functions").content.decode()
    assert "check_property" in body
    assert "sk_live_secret" not in body and "hush" not in body


def test_the_rate_limit_answers_429_with_retry_after(api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    statuses = [api.get("/api/v1/contacts").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/contacts")
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "rate_limited"


def test_unknown_api_addresses_and_bad_json_answer_in_the_error_shape(api):
    response = api.get("/api/v1/houses")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = api.post("/api/v1/contacts", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


def test_the_openapi_document_validates_and_the_docs_need_no_cdn(client):
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    for path in (
        "/api/v1/calls",
        "/api/v1/calls/export.csv",
        "/api/v1/calls/{call_id}/outcome",
        "/api/v1/phone-numbers/{number_id}",
        "/api/v1/scheduled-calls/{scheduled_call_id}/cancel",
        "/api/v1/dispositions",
        "/api/v1/listings",
        "/api/v1/knowledge-documents/{document_id}",
        "/api/v1/sms-threads/{thread_id}/messages",
        "/api/v1/contacts/{contact_id}/forget",
        "/api/v1/contacts/{contact_id}/access-export",
    ):
        assert path in document["paths"], path
    schemas = document["components"]["schemas"]
    assert "twilio_auth_token" in schemas["PhoneNumberRequest"]["properties"]
    assert "twilio_auth_token" not in schemas["PhoneNumber"]["properties"]
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "https://" not in docs


@pytest.mark.django_db
def test_create_api_key_prints_the_key_alone_on_its_last_line(capsys, agency):
    call_command("create_api_key", "--agency", agency.slug, "--name", "crm", "--read-only")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    from tests.api.conftest import key_client

    client = key_client(key)
    assert client.get("/api/v1/contacts").status_code == 200
    assert client.post("/api/v1/contacts", {}, "application/json").status_code == 403


@pytest.mark.django_db
def test_create_api_key_names_the_agencies_when_the_slug_is_wrong(agency):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="test-agency"):
        call_command("create_api_key", "--agency", "nope", "--name", "crm")
