"""The resources added after the first API: phone numbers, scheduled calls, outcomes,
listings, knowledge documents, SMS threads, and forgetting a person. Each through HTTP with
an agency key; provider traffic goes to the fake provider."""

from datetime import timedelta

import pytest

from audit.models import AuditEntry
from calls.models import Call, SmsMessage
from contacts.models import Contact
from knowledge.models import KnowledgeDocument
from listings.models import Listing
from messages.models import Thread
from phone_numbers.models import PhoneNumber
from scheduling.models import ScheduledCall
from tests.calls.conftest import post_twilio
from tests.factories import make_agent, make_call, make_contact, make_memory

pytestmark = pytest.mark.usefixtures("numbers_washed")
OWN_SID = "AC" + "1" * 32


def _json(response):
    assert response.status_code < 300, response.content
    return response.json()


# -- phone numbers -------------------------------------------------------------------------


def test_a_number_is_registered_changed_and_deleted_and_its_token_never_shown(
    api, agency, live_provider_settings
):
    fake = live_provider_settings
    response = api.post(
        "/api/v1/phone-numbers",
        {
            "number": "02 8000 5555",
            "label": "Sales line",
            "twilio_account_sid": OWN_SID,
            "twilio_auth_token": "tok_very_secret",
        },
        "application/json",
    )
    created = _json(response)
    assert response.status_code == 201
    assert created["number"] == "+61280005555" and created["registered"] is True
    assert created["elevenlabs_phone_number_id"] in fake.phone_numbers
    assert "tok_very_secret" not in response.content.decode()
    assert fake.last_request("POST", "/v1/convai/phone-numbers").json["token"] == "tok_very_secret"

    url = f"/api/v1/phone-numbers/{created['id']}"
    changed = _json(api.patch(url, {"label": "Rentals"}, "application/json"))
    assert changed["label"] == "Rentals" and changed["twilio_account_sid"] == OWN_SID
    assert PhoneNumber.objects.get(pk=created["id"]).twilio_auth_token == "tok_very_secret"
    for body in (api.get(url).content, api.get("/api/v1/phone-numbers").content):
        assert b"tok_very_secret" not in body
    entry = AuditEntry.objects.filter(kind="phone_number.changed").get()
    assert entry.actor is None and entry.actor_name == "API key “CRM sync”"

    bad = api.post("/api/v1/phone-numbers", {"number": "banana"}, "application/json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "number"
    assert api.delete(url).status_code == 204
    assert not PhoneNumber.objects.exists()
    assert created["elevenlabs_phone_number_id"] not in fake.phone_numbers


def test_a_call_goes_out_from_the_chosen_number_for_its_purpose(api, agency, within_calling_hours):
    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1")
    PhoneNumber.objects.create(
        agency=agency,
        number="+61280001111",
        default_outbound=True,
        elevenlabs_phone_number_id="phnum_1111",
    )
    chosen = PhoneNumber.objects.create(
        agency=agency, number="+61280002222", elevenlabs_phone_number_id="phnum_2222"
    )
    call = _json(
        api.post(
            "/api/v1/calls",
            {
                "agent": str(agent.pk),
                "to": "0412 345 678",
                "caller_number": str(chosen.pk),
                "purpose": "service",
            },
            "application/json",
        )
    )
    stored = Call.objects.get(pk=call["id"])
    assert stored.from_phone == "+61280002222" and stored.purpose == "service"
    unknown = api.post(
        "/api/v1/calls",
        {"agent": str(agent.pk), "to": "0412345678", "caller_number": str(agent.pk)},
        "application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "caller_number"
    bad = api.post(
        "/api/v1/calls",
        {"agent": str(agent.pk), "to": "0412345678", "purpose": "spam"},
        "application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "purpose"


# -- scheduled calls -----------------------------------------------------------------------


def test_a_call_is_scheduled_moved_refused_outside_hours_and_cancelled(
    api, agency, within_calling_hours
):
    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1", sync_status="synced")
    # 2 pm in Sydney (11 am in Perth): open everywhere for a mobile of unknown state.
    tomorrow_afternoon = (within_calling_hours + timedelta(days=1)).replace(hour=14, minute=0)
    response = api.post(
        "/api/v1/scheduled-calls",
        {"agent": str(agent.pk), "to": "0412 345 678", "at": tomorrow_afternoon.isoformat()},
        "application/json",
    )
    scheduled = _json(response)
    assert response.status_code == 201
    assert scheduled["status"] == "pending" and scheduled["phone"] == "+61412345678"
    url = f"/api/v1/scheduled-calls/{scheduled['id']}"

    later = tomorrow_afternoon + timedelta(hours=1)
    assert _json(api.patch(url, {"at": later.isoformat()}, "application/json"))[
        "scheduled_at"
    ].startswith(later.strftime("%Y-%m-%dT"))
    late_night = tomorrow_afternoon.replace(hour=23)
    refused = api.patch(url, {"at": late_night.isoformat()}, "application/json")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "outside_calling_window" and error["field"] == "at"
    assert "The next allowed time is" in error["message"]

    assert _json(api.post(f"{url}/cancel"))["status"] == "cancelled"
    again = api.post(f"{url}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_pending"
    assert ScheduledCall.objects.get().status == ScheduledCall.Status.CANCELLED

    opted_out = make_contact(agency=agency, phone="+61412999888")
    api.post(f"/api/v1/contacts/{opted_out.pk}/opt-out")
    response = api.post(
        "/api/v1/scheduled-calls",
        {"agent": str(agent.pk), "contact": str(opted_out.pk), "at": later.isoformat()},
        "application/json",
    )
    assert response.status_code == 422 and "opted out" in response.json()["error"]["message"]


# -- outcomes ------------------------------------------------------------------------------


def test_an_outcome_is_read_corrected_and_exported_with_the_list_filters(api, agency):
    inbound = make_call(agency=agency, direction=Call.Direction.INBOUND)
    make_call(agency=agency, direction=Call.Direction.OUTBOUND, to_phone="+61412000999")
    assert _json(api.get(f"/api/v1/calls/{inbound.pk}"))["call_outcome"] is None
    keys = [row["key"] for row in _json(api.get("/api/v1/dispositions"))["data"]]
    assert keys, "every agency starts with the default outcomes"

    corrected = _json(
        api.post(
            f"/api/v1/calls/{inbound.pk}/outcome", {"outcome_type": keys[0]}, "application/json"
        )
    )
    assert corrected["call_outcome"]["outcome_type"] == keys[0]
    assert corrected["call_outcome"]["corrected"] is True
    assert corrected["call_outcome"]["corrected_by"] == "API key “CRM sync”"
    unknown = api.post(
        f"/api/v1/calls/{inbound.pk}/outcome", {"outcome_type": "nope"}, "application/json"
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "outcome_type"

    export = api.get("/api/v1/calls/export.csv", {"direction": "inbound"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "+61412000999" not in "".join(rows)
    bad = api.get("/api/v1/calls/export.csv", {"status": "exploded"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"


# -- listings and knowledge ----------------------------------------------------------------


def test_listings_are_searched_like_the_listings_page(api, agency):
    manly = Listing.objects.create(
        agency=agency,
        unique_id="L1",
        street_address="12 Ocean Street",
        suburb="Manly",
        headline="Sunny apartment",
    )
    Listing.objects.create(
        agency=agency, unique_id="L2", street_address="3 Hill Road", suburb="Bondi", status="sold"
    )
    for params in ({"q": "ocean"}, {"suburb": "manly"}, {"status": "stock"}):
        page = _json(api.get("/api/v1/listings", params))
        assert [row["id"] for row in page["data"]] == [str(manly.pk)], params
    detail = _json(api.get(f"/api/v1/listings/{manly.pk}"))
    assert detail["headline"] == "Sunny apartment" and "search_text" not in detail
    bad = api.get("/api/v1/listings", {"status": "haunted"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"


def test_knowledge_documents_are_listed_read_and_deleted(api, agency):
    document = KnowledgeDocument.objects.create(
        agency=agency, name="Strata FAQ", source="text", file_type="txt", text="Levies quarterly"
    )
    agent = make_agent(agency=agency)
    document.agents.add(agent)
    page = _json(api.get("/api/v1/knowledge-documents"))
    assert page["data"][0]["name"] == "Strata FAQ" and page["data"][0]["agents"] == [str(agent.pk)]
    assert "text" not in page["data"][0]
    url = f"/api/v1/knowledge-documents/{document.pk}"
    assert _json(api.get(url))["status"] == document.status
    assert api.delete(url).status_code == 204
    assert not KnowledgeDocument.objects.exists()


# -- SMS threads ---------------------------------------------------------------------------


def test_a_thread_is_read_and_answered_and_an_opted_out_number_is_refused(
    api, agency, client, live_provider_settings
):
    make_contact(agency=agency, name="Priya Sharma", phone="+61412345678")
    inbound = {"MessageSid": "SM1", "From": "+61412345678", "To": "+61280001234"}
    post_twilio(client, "twilio_sms", {**inbound, "Body": "Is it still available?"})
    thread = Thread.objects.get()
    assert _json(api.get("/api/v1/sms-threads"))["data"][0]["id"] == str(thread.pk)
    url = f"/api/v1/sms-threads/{thread.pk}"
    assert _json(api.get(url))["messages"][0]["body"] == "Is it still available?"

    response = api.post(f"{url}/messages", {"body": "Hi {first_name}, yes."}, "application/json")
    sent = _json(response)
    assert response.status_code == 201 and sent["body"] == "Hi Priya, yes."
    assert SmsMessage.objects.filter(direction="outbound").count() == 1

    post_twilio(client, "twilio_sms", {**inbound, "MessageSid": "SM2", "Body": "STOP"})
    refused = api.post(f"{url}/messages", {"body": "One more thing"}, "application/json")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "message_refused"
    assert "opted out" in refused.json()["error"]["message"]
    assert SmsMessage.objects.filter(direction="outbound").count() == 1
    empty = api.post(f"{url}/messages", {"body": ""}, "application/json")
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "body"


# -- forgetting a person -------------------------------------------------------------------


def test_a_person_is_exported_then_forgotten_with_a_read_and_write_key_only(
    api, read_only_api, agency
):
    contact = make_contact(agency=agency, name="Priya", phone="+61412345678")
    make_memory(contact, "Budget around $1.2M")
    call = make_call(agency=agency, contact=contact, to_phone=contact.phone)
    url = f"/api/v1/contacts/{contact.pk}"
    assert read_only_api.post(f"{url}/access-export").status_code == 403
    assert read_only_api.post(f"{url}/forget").status_code == 403

    export = _json(api.post(f"{url}/access-export"))
    assert export["contact"]["name"] == "Priya"
    assert export["memories"][0]["content"] == "Budget around $1.2M"

    forgotten = _json(api.post(f"{url}/forget"))
    assert forgotten["removed"]["memories"] == 1
    assert not Contact.objects.filter(pk=contact.pk).exists()
    call.refresh_from_db()
    assert call.contact_id is None and call.transcript in ([], None)
    assert api.get(url).status_code == 404


def test_a_job_calls_from_the_chosen_number_with_a_saved_prompt_for_its_purpose(api, agency):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agents.models import SavedPrompt

    agent = make_agent(agency=agency, elevenlabs_agent_id="agent_sandbox_1")
    number = PhoneNumber.objects.create(
        agency=agency, number="+61280002222", elevenlabs_phone_number_id="phnum_2222"
    )
    prompt = SavedPrompt.objects.create(
        agency=agency, name="Rent review", system_prompt="Ask about rent."
    )
    campaign = _json(api.post("/api/v1/campaigns", {"name": "Rent"}, "application/json"))
    csv = SimpleUploadedFile("rent.csv", b"name,phone\nJo,0412 345 678\n")
    upload = _json(api.post("/api/v1/uploads", {"campaign": campaign["id"], "file": csv}))
    job = {
        "campaign": campaign["id"],
        "upload": upload["id"],
        "agent": str(agent.pk),
        "caller_number": str(number.pk),
        "saved_prompt": str(prompt.pk),
        "purpose": "research",
    }
    created = _json(api.post("/api/v1/jobs", job, "application/json"))
    assert created["caller_number"] == str(number.pk) and created["purpose"] == "research"
    other = api.post("/api/v1/jobs", {**job, "caller_number": str(agent.pk)}, "application/json")
    assert other.status_code == 400 and other.json()["error"]["field"] == "caller_number"


def test_the_new_lists_take_the_same_queries_for_two_rows_or_six(api, agency):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    agent = make_agent(agency=agency)
    lists = [
        "/api/v1/phone-numbers",
        "/api/v1/knowledge-documents",
        "/api/v1/sms-threads",
        "/api/v1/listings",
        "/api/v1/dispositions",
    ]

    def add_rows(first: int, count: int) -> None:
        for n in range(first, first + count):
            PhoneNumber.objects.create(agency=agency, number=f"+6128000{n:04d}", agent=agent)
            document = KnowledgeDocument.objects.create(
                agency=agency, name=f"Doc {n}", source="text", file_type="txt"
            )
            document.agents.add(agent)
            Thread.objects.create(
                agency=agency, phone=f"+614120{n:05d}", last_message_at=timezone.now()
            )
            Listing.objects.create(agency=agency, unique_id=f"L{n}", suburb="Manly")

    def queries() -> list[int]:
        counts = []
        for url in lists:
            with CaptureQueriesContext(connection) as captured:
                assert api.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    add_rows(0, 2)
    queries()  # the key's first use is noted once
    few = queries()
    add_rows(2, 4)
    assert queries() == few


def test_sms_thread_pages_follow_the_latest_message(api, agency):
    from django.utils import timezone

    now = timezone.now()
    for n in range(5):
        Thread.objects.create(
            agency=agency, phone=f"+614120{n:05d}", last_message_at=now - timedelta(minutes=n)
        )
    first = _json(api.get("/api/v1/sms-threads", {"limit": 3}))
    assert [row["phone"] for row in first["data"]] == [f"+614120{n:05d}" for n in range(3)]
    rest = _json(api.get("/api/v1/sms-threads", {"limit": 3, "cursor": first["next_cursor"]}))
    assert [row["phone"] for row in rest["data"]] == ["+61412000003", "+61412000004"]
    assert rest["has_more"] is False


def test_a_delete_elevenlabs_did_not_follow_is_done_here_and_named(
    api, agency, live_provider_settings
):
    document = KnowledgeDocument.objects.create(
        agency=agency,
        name="Old FAQ",
        source="text",
        file_type="txt",
        elevenlabs_document_id="kb_old_faq",
    )
    live_provider_settings.fail_next("DELETE", "/v1/convai/knowledge-base/", 400, times=3)
    response = api.delete(f"/api/v1/knowledge-documents/{document.pk}")
    assert response.status_code == 200
    assert "Remove it by hand" in response.json()["warnings"][0]
    assert not KnowledgeDocument.objects.exists()
