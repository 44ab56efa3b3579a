import json
import time

import pytest

from calls.models import Call, WebhookEvent
from contacts.models import Contact, Memory
from tests.calls.conftest import post_event, run_after_commit
from tests.factories import default_agency, make_contact
from tests.fakeprovider import elevenlabs_signature, load_payload

pytestmark = pytest.mark.django_db


def test_inbound_call_is_recorded_with_contact_memories_and_sms(client, agent, provider):
    response = post_event(client, load_payload("post_call_transcription__inbound"))

    assert response.status_code == 200
    call = Call.objects.get(elevenlabs_conversation_id="conv_0101k3example")
    assert call.direction == "inbound"
    assert call.status == "completed"
    assert call.agent == agent and call.agent_name == "Lisa"
    assert call.from_phone == "+61412345678" and call.to_phone == "+61280001234"
    assert call.summary.startswith("Priya asked about 12 Ocean Street")
    assert call.title == "Inspection enquiry"
    assert call.outcome == "success"
    assert call.duration == 145
    assert (call.ended_at - call.started_at).total_seconds() == 145
    assert any(turn.get("tool_calls") for turn in call.transcript)
    assert any(turn.get("tool_results") for turn in call.transcript)
    assert call.dynamic_variables == {"caller_name": "there"}
    assert call.analysis["call_summary_title"] == "Inspection enquiry"
    contact = Contact.objects.get(phone="+61412345678")
    assert call.contact == contact and contact.name == "Priya"
    assert contact.last_call_at == call.ended_at
    assert sorted(contact.memories.values_list("content", flat=True)) == [
        "Budget around $1.8M",
        "Interested in 12 Ocean Street",
        "Prefers Saturday inspections",
    ]
    assert set(contact.memories.values_list("source", flat=True)) == {"auto"}
    assert set(contact.memories.values_list("call", flat=True)) == {call.pk}
    assert call.sms_sent and call.sms_status == "sent" and call.sms_sid.startswith("SM")
    [sms] = provider.requests_to("POST", "/2010-04-01/Accounts/")
    assert sms.form["To"] == "+61412345678"
    assert sms.form["Body"].startswith("Hi Priya, thanks for talking with us today.")
    assert sms.form["StatusCallback"] == "http://testserver/webhooks/twilio/sms-status"
    assert WebhookEvent.objects.get().processed_at is not None


def test_outbound_call_updates_the_call_voqo_placed(client, agent, provider):
    contact = make_contact(name="Priya", phone="+61412345678")
    placed = Call.objects.create(
        agency=default_agency(),
        agent=agent,
        agent_name="Lisa",
        contact=contact,
        direction="outbound",
        status="initiated",
        from_phone="+61280001234",
        to_phone="+61412345678",
        elevenlabs_conversation_id="conv_0202k3example",
        dynamic_variables={"caller_name": "Priya", "campaign": "Spring"},
    )

    assert post_event(client, load_payload("post_call_transcription__outbound")).status_code == 200

    assert Call.objects.count() == 1
    placed.refresh_from_db()
    assert placed.status == "completed" and placed.duration == 62
    assert placed.title == "Open home booked"
    assert placed.dynamic_variables == {"caller_name": "Priya", "campaign": "Spring"}
    assert placed.sms_sent
    assert list(contact.memories.values_list("content", flat=True)) == [
        "Booked into 12 Ocean Street open home, Saturday 10am"
    ]


def test_unnamed_caller_becomes_unknown_caller_and_is_renamed_later(client, agent):
    post_event(client, load_payload("post_call_transcription__no_name"))
    contact = Contact.objects.get(phone="+61400111222")
    assert contact.name == "Unknown caller"

    later = load_payload("post_call_transcription__inbound")
    later["data"]["conversation_id"] = "conv_later"
    later["data"]["metadata"]["phone_call"]["external_number"] = "0400 111 222"
    post_event(client, later)

    contact.refresh_from_db()
    assert contact.name == "Priya"
    assert Call.objects.filter(contact=contact).count() == 2


def test_known_facts_are_not_saved_twice(client, agent):
    contact = make_contact(name="Priya", phone="+61412345678")
    Memory.objects.create(contact=contact, content="  budget AROUND   $1.8m ", source="manual")

    post_event(client, load_payload("post_call_transcription__inbound"))

    assert sorted(contact.memories.values_list("content", flat=True)) == [
        "  budget AROUND   $1.8m ",
        "Interested in 12 Ocean Street",
        "Prefers Saturday inspections",
    ]


def test_settings_can_turn_off_contacts_and_memories(client, agent):
    from voqo.models import Setting

    Setting.set_value("auto_create_contacts", False, default_agency())
    Setting.set_value("save_memories", False, default_agency())

    post_event(client, load_payload("post_call_transcription__inbound"))

    call = Call.objects.get()
    assert call.contact is None
    assert not Contact.objects.exists() and not Memory.objects.exists()
    assert call.sms_sent  # the caller's number is still known


def test_silent_caller_gets_no_sms(client, agent, provider):
    post_event(client, load_payload("post_call_transcription__silent"))

    call = Call.objects.get()
    assert call.sms_status == "skipped" and not call.sms_sent
    assert call.sms_error == "The caller never spoke."
    assert not provider.requests_to("POST", "/2010-04-01/")
    assert call.outcome == "failure"


def test_busy_initiation_failure_marks_the_outbound_call_busy(client, agent):
    placed = Call.objects.create(
        agency=default_agency(),
        agent=agent,
        agent_name="Lisa",
        direction="outbound",
        status="initiated",
        from_phone="+61280001234",
        to_phone="+61412345678",
        elevenlabs_conversation_id="conv_0505k3example",
    )
    finished = []
    from calls.signals import call_finished

    def receiver(sender, call, **kwargs):
        finished.append(call.pk)

    call_finished.connect(receiver)
    try:
        response = post_event(client, load_payload("call_initiation_failure__busy"))
    finally:
        call_finished.disconnect(receiver)

    assert response.status_code == 200
    placed.refresh_from_db()
    assert placed.status == "busy"
    assert "busy" in placed.failure_reason
    assert placed.sms_status == "skipped"
    assert finished == [placed.pk]


def test_call_finished_is_sent_once_after_a_transcription(client, agent):
    from calls.signals import call_finished

    finished = []

    def receiver(sender, call, **kwargs):
        finished.append((sender, call.elevenlabs_conversation_id, call.status))

    call_finished.connect(receiver)
    try:
        event = load_payload("post_call_transcription__inbound")
        post_event(client, event)
        post_event(client, event)
    finally:
        call_finished.disconnect(receiver)
    assert finished == [(Call, "conv_0101k3example", "completed")]


def test_audio_event_is_stored_as_the_recording(client, agent):
    post_event(client, load_payload("post_call_transcription__inbound"))
    post_event(client, load_payload("post_call_audio__small"))

    call = Call.objects.get()
    assert call.recording_file
    assert call.recording_file.read().startswith(b"ID3")
    event = WebhookEvent.objects.get(event_type="post_call_audio")
    assert event.processed_at and event.payload["data"]["full_audio"] == ""


def test_audio_arriving_before_the_transcription_waits_for_it(client, agent):
    post_event(client, load_payload("post_call_audio__small"))
    event = WebhookEvent.objects.get(event_type="post_call_audio")
    assert event.processed_at is None and not Call.objects.exists()

    post_event(client, load_payload("post_call_transcription__inbound"))

    event.refresh_from_db()
    assert event.processed_at is not None
    assert Call.objects.get().recording_file


def test_audio_bodies_above_the_default_upload_limit_are_accepted(client, agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    event = load_payload("post_call_audio__small")
    event["data"]["full_audio"] = __import__("base64").b64encode(b"ID3" + b"\0" * 4000).decode()

    assert post_event(client, event).status_code == 200


def test_duplicate_delivery_is_acknowledged_and_changes_nothing(client, agent, provider):
    event = load_payload("post_call_transcription__inbound")
    first, second = post_event(client, event), post_event(client, event)

    assert first.status_code == second.status_code == 200
    assert second.json() == {"status": "duplicate"}
    assert Call.objects.count() == 1 and WebhookEvent.objects.count() == 1
    assert Memory.objects.count() == 3
    assert len(provider.requests_to("POST", "/2010-04-01/")) == 1


def test_reprocessing_an_event_changes_nothing(client, agent, provider):
    from calls import receiving

    post_event(client, load_payload("post_call_transcription__inbound"))
    event = WebhookEvent.objects.get()
    WebhookEvent.objects.filter(pk=event.pk).update(processed_at=None, claimed_at=None)

    with run_after_commit():
        receiving.process_webhook_event(event.pk)

    assert Call.objects.count() == 1 and Memory.objects.count() == 3
    assert len(provider.requests_to("POST", "/2010-04-01/")) == 1


def test_minimal_event_with_only_the_required_fields_is_recorded(client):
    event = {
        "type": "post_call_transcription",
        "data": {"conversation_id": "conv_min", "agent_id": "x"},
    }

    assert post_event(client, event).status_code == 200

    call = Call.objects.get()
    assert call.direction == "inbound" and call.status == "completed" and call.agent is None
    assert call.sms_status == "skipped"


def _signed(secret="whsec_test", age=0):
    return lambda body: elevenlabs_signature(body, secret, int(time.time()) - age)


@pytest.mark.parametrize(
    "signature_for",
    [
        pytest.param(lambda body: "t=1,v0=" + "0" * 64, id="forged"),
        pytest.param(_signed(secret="wrong-secret"), id="wrong-secret"),
        pytest.param(_signed(age=31 * 60), id="stale"),
        pytest.param(_signed(age=-10 * 60), id="far-future"),
        pytest.param(lambda body: "", id="missing"),
        pytest.param(lambda body: "v0=abc", id="malformed"),
    ],
)
def test_unsigned_or_badly_signed_webhooks_are_refused_and_nothing_is_stored(
    client, agent, signature_for
):
    body = json.dumps(load_payload("post_call_transcription__inbound")).encode()
    response = post_event(client, body, signature=signature_for(body) or False)

    assert response.status_code == 401
    assert response.json()["error"]
    assert not WebhookEvent.objects.exists() and not Call.objects.exists()


def test_a_signature_over_a_different_body_is_refused(client, agent):
    body = json.dumps(load_payload("post_call_transcription__inbound")).encode()
    signature = elevenlabs_signature(body, "whsec_test")
    tampered = body.replace(b"Priya", b"Mallory")

    assert post_event(client, tampered, signature=signature).status_code == 401
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "JSON"),
        (json.dumps({"data": {"conversation_id": "c"}}).encode(), "type"),
        (json.dumps({"type": "post_call_transcription", "data": {}}).encode(), "conversation_id"),
    ],
)
def test_invalid_events_get_a_400_with_the_reason(client, body, reason):
    response = post_event(client, body)

    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_unknown_event_types_are_acknowledged_and_ignored(client):
    event = {"type": "something_new", "data": {"conversation_id": "conv_x"}}

    response = post_event(client, event)

    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    assert not WebhookEvent.objects.exists()


def test_webhook_acknowledgement_takes_few_queries(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        post_event(client, load_payload("post_call_transcription__silent"))
    # Everything up to the INSERT and the queue write; processing runs after it, inline here.
    sql = [query["sql"] for query in queries.captured_queries]
    inserts = [i for i, text in enumerate(sql) if 'INSERT INTO "webhook_events"' in text]
    assert len(inserts) == 1
    first_insert = inserts[0]
    assert first_insert <= 2  # SAVEPOINT/BEGIN at most before it: no lookups before storing


def test_an_event_that_beats_the_stored_conversation_id_claims_the_placed_call(
    client, agent, provider
):
    """A busy line can fail before the dialler stored the id; no second call appears."""
    placed = Call.objects.create(
        agency=default_agency(),
        agent=agent,
        agent_name="Lisa",
        direction="outbound",
        status="initiated",
        from_phone="+61280001234",
        to_phone="+61412345678",
    )

    assert post_event(client, load_payload("post_call_transcription__outbound")).status_code == 200

    assert Call.objects.count() == 1
    placed.refresh_from_db()
    assert placed.elevenlabs_conversation_id == "conv_0202k3example"
    assert placed.status == "completed"
