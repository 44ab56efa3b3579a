"""A bare phone number can have a voice too (a caller who is not a contact yet); a contact's
own mapping wins over its number's. A clone a call sets off is recorded on that call."""

import json
import time

import pytest
from django.db import IntegrityError, connection
from django.test import TestCase
from django.urls import reverse

from api.keys import create_api_key
from calls.models import Call
from contacts.models import Contact
from contacts.personalisation import _caller_sql
from tests.factories import make_contact
from tests.fakeprovider import elevenlabs_signature, load_payload
from tests.voices.helpers import make_library_voice, make_sample, ring, spoken_voice
from voices.models import CallCloneEvent, CallerVoice, CloneLog, VoiceClone

pytestmark = pytest.mark.django_db

ADD_VOICE = "/v1/voices/add"


def map_number(manager, phone: str, choice: str, follow: bool = False):
    return manager.post(
        reverse("voices:caller_map"), {"phone": phone, "voice": choice}, follow=follow
    )


def post_call(client, caller: str, *, voice_id: str = "", started_at: int | None = None):
    event = load_payload("post_call_transcription__inbound")
    event["data"]["agent_id"] = "agent_sales"
    event["data"]["metadata"]["phone_call"]["external_number"] = caller
    # The conversation starts as the phone rings (the payload's own time is long past).
    event["data"]["metadata"]["start_time_unix_secs"] = started_at or int(time.time())
    override = {"tts": {"voice_id": voice_id}} if voice_id else {}
    event["data"]["conversation_initiation_client_data"] = {
        "conversation_config_override": override,
        "dynamic_variables": {},
    }
    body = json.dumps(event).encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/webhooks/elevenlabs/post-call",
            data=body,
            content_type="application/json",
            HTTP_ELEVENLABS_SIGNATURE=elevenlabs_signature(body, "whsec_test"),
        )
    assert response.status_code == 200
    return Call.objects.get(from_phone=caller)


def test_a_number_no_contact_has_is_mapped_as_typed_in_e164_and_heard_on_its_calls(
    client, manager, agent
):
    voice = make_library_voice("voice_sarah")

    response = map_number(manager, "0412 345 678", f"library:{voice.pk}", follow=True)

    assert "+61412345678 (no contact has it yet) now hears Sarah" in response.content.decode()
    mapping = CallerVoice.objects.get()
    assert mapping.contact is None and mapping.phone == "+61412345678"
    assert spoken_voice(ring(client, "+61412345678")) == "voice_sarah"
    assert not Contact.objects.exists()  # mapping a number creates no contact
    assert "+61412345678" in manager.get(reverse("voices:library")).content.decode()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("+6141234", "is not a valid phone number"),
        ("call me", "is not a phone number"),
        ("", "Enter a phone number"),
    ],
)
def test_an_invalid_number_is_refused_with_the_reason(manager, typed, error):
    voice = make_library_voice("voice_sarah")

    response = map_number(manager, typed, f"library:{voice.pk}", follow=True)

    assert error in response.content.decode()
    assert not CallerVoice.objects.exists()


def test_a_number_has_one_mapping_per_agency_mapping_again_replaces_it(client, manager, agent):
    sarah = make_library_voice("voice_sarah", name="Sarah")
    tom = make_library_voice("voice_tom", name="Tom")

    map_number(manager, "+61412345678", f"library:{sarah.pk}")
    map_number(manager, "0412345678", f"library:{tom.pk}")

    mapping = CallerVoice.objects.get()
    assert mapping.library_voice == tom
    assert spoken_voice(ring(client, "+61412345678")) == "voice_tom"
    with pytest.raises(IntegrityError):
        CallerVoice.objects.create(agency=mapping.agency, phone="+61412345678", library_voice=sarah)


def test_a_contacts_own_mapping_wins_over_its_numbers(client, manager, agent):
    sarah = make_library_voice("voice_sarah", name="Sarah")
    tom = make_library_voice("voice_tom", name="Tom")
    map_number(manager, "+61412345678", f"library:{tom.pk}")  # before the contact existed
    priya = make_contact(name="Priya", phone="+61412345678")

    # The contact has no mapping of their own yet: the number's applies.
    assert spoken_voice(ring(client, priya.phone)) == "voice_tom"

    priya.refresh_from_db()
    CallerVoice.objects.create(agency=priya.agency, contact=priya, library_voice=sarah)
    Contact.objects.filter(pk=priya.pk).update(voice_id="voice_sarah")

    answer = ring(client, priya.phone)
    assert spoken_voice(answer) == "voice_sarah"
    assert answer["dynamic_variables"]["caller_name"] == "Priya"


def test_mapping_a_contacts_number_maps_the_contact(manager):
    voice = make_library_voice("voice_sarah")
    priya = make_contact(name="Priya", phone="+61412345678")

    map_number(manager, "0412 345 678", f"library:{voice.pk}")

    assert CallerVoice.objects.get().contact == priya


def test_an_unmapped_number_hears_the_agents_voice_again(client, manager, agent):
    voice = make_library_voice("voice_sarah")
    map_number(manager, "+61412345678", f"library:{voice.pk}")

    response = manager.post(
        reverse("voices:caller_unmap", args=[CallerVoice.objects.get().pk]), follow=True
    )

    assert "+61412345678 hears the agent&#x27;s voice again" in response.content.decode()
    assert spoken_voice(ring(client, "+61412345678")) is None


def test_a_mapped_number_keeps_the_initiation_answer_one_query(
    client, agent, django_assert_num_queries
):
    voice = make_library_voice("voice_sarah")
    CallerVoice.objects.bulk_create(
        CallerVoice(agency=voice.agency, phone=f"+6142{n:07d}", library_voice=voice, voice_id="v1")
        for n in range(1000)
    )
    ring(client, "+61420000001")  # warms the caches

    with django_assert_num_queries(1):
        answer = ring(client, "+61420000999")

    assert spoken_voice(answer) == "v1"
    assert answer["dynamic_variables"]["caller_name"] == "there"


def test_a_sample_mapped_number_clones_on_its_first_call_and_the_call_shows_it(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    map_number(manager, "+61412345678", f"sample:{sample.pk}")

    first = ring(client, "+61412345678")  # tasks run inline here; on the worker in production

    assert spoken_voice(first) is None  # the clone never holds up the answer
    clone = VoiceClone.objects.get()
    assert spoken_voice(ring(client, "+61412345678")) == clone.voice_id
    call = post_call(client, "+61412345678")
    event = CallCloneEvent.objects.get()
    assert event.call == call and event.kind == "ready" and event.voice_id == clone.voice_id
    page = manager.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "Clone ready" in page and clone.voice_id in page and "Tom&#x27;s sample" in page
    assert len(live_provider_settings.requests_to("POST", ADD_VOICE)) == 1


def test_a_failed_clone_is_recorded_on_the_call_that_set_it_off(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    priya = make_contact(name="Priya", phone="+61412345678")
    map_number(manager, priya.phone, f"sample:{sample.pk}")
    live_provider_settings.fail_next("POST", ADD_VOICE, status=422, message="Sample too noisy")

    assert spoken_voice(ring(client, priya.phone)) is None  # answered all the same
    call = post_call(client, priya.phone)

    event = CallCloneEvent.objects.get(call=call)
    assert event.kind == "failed" and "Sample too noisy" in event.error
    page = manager.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "Clone failed" in page and "Sample too noisy" in page


def test_a_clone_event_waits_for_its_inbound_call_and_never_joins_another_call(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    map_number(manager, "+61412345678", f"sample:{sample.pk}")
    earlier = post_call(client, "+61412345678", started_at=1_600_000_000)  # years ago

    ring(client, "+61412345678")

    event = CallCloneEvent.objects.get()
    assert event.call is None  # the ringing call is not recorded yet; the old one is not it
    assert (
        "Clone ready"
        not in manager.get(reverse("calls:detail", args=[earlier.pk])).content.decode()
    )


def test_the_api_call_shows_the_voice_and_its_clone_events(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    map_number(manager, "+61412345678", f"sample:{sample.pk}")
    ring(client, "+61412345678")
    clone = VoiceClone.objects.get()
    call = post_call(client, "+61412345678", voice_id=clone.voice_id)

    secret = create_api_key(agency=call.agency, name="CRM sync").secret
    data = client.get(
        f"/api/v1/calls/{call.pk}", headers={"Authorization": f"Bearer {secret}"}
    ).json()

    assert data["voice_id"] == clone.voice_id
    (event,) = data["voice_clone_events"]
    assert event["kind"] == "ready" and event["voice_id"] == clone.voice_id


def test_an_outbound_call_to_a_mapped_number_speaks_with_its_voice(
    manager, agent, live_provider_settings, numbers_washed, within_calling_hours
):
    voice = make_library_voice("voice_sarah")
    map_number(manager, "+61412345678", f"library:{voice.pk}")

    manager.post(
        reverse("contacts:call_number"),
        {"phone": "+61412345678", "agent": agent.id, "purpose": "service"},
    )

    (request,) = live_provider_settings.requests_to("POST", "/v1/convai/twilio/outbound-call")
    override = request.json["conversation_initiation_client_data"]["conversation_config_override"]
    assert override["tts"] == {"voice_id": "voice_sarah"}
    assert Call.objects.get().voice_id == "voice_sarah"


def test_an_outbound_call_to_a_sample_mapped_number_records_the_clone_it_set_off(
    manager, agent, live_provider_settings, numbers_washed, within_calling_hours
):
    sample = make_sample()
    map_number(manager, "+61412345678", f"sample:{sample.pk}")

    manager.post(
        reverse("contacts:call_number"),
        {"phone": "+61412345678", "agent": agent.id, "purpose": "service"},
    )

    call = Call.objects.get()
    assert call.voice_id == ""  # this call keeps the agent's voice; the next one has the clone
    event = CallCloneEvent.objects.get()
    assert event.call == call and event.kind == "ready"
    assert CallerVoice.objects.get().voice_id == event.voice_id


def test_the_outbound_voice_lookup_costs_the_same_with_two_thousand_mappings(
    manager,
    agent,
    live_provider_settings,
    numbers_washed,
    within_calling_hours,
    django_assert_max_num_queries,
):
    def call(phone: str):
        return manager.post(
            reverse("contacts:call_number"),
            {"phone": phone, "agent": agent.id, "purpose": "service"},
        )

    call("+61412000001")  # warms the caches
    with django_assert_max_num_queries(200) as before:
        call("+61412000002")
    voice = make_library_voice("voice_sarah")
    contacts = Contact.objects.bulk_create(
        Contact(agency=voice.agency, name=f"Caller {n}", phone=f"+6141{n:07d}") for n in range(1000)
    )
    CallerVoice.objects.bulk_create(
        CallerVoice(agency=voice.agency, contact=contact, library_voice=voice)
        for contact in contacts
    )
    CallerVoice.objects.bulk_create(
        CallerVoice(agency=voice.agency, phone=f"+6142{n:07d}", library_voice=voice, voice_id="v")
        for n in range(1000)
    )

    with django_assert_max_num_queries(len(before.captured_queries)):
        call("+61412000003")

    assert Call.objects.count() == 3


def test_forgetting_a_person_removes_their_number_from_voices(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    priya = make_contact(name="Priya", phone="+61412345678")
    map_number(manager, priya.phone, f"sample:{sample.pk}")
    CallerVoice.objects.update(contact=None, phone=priya.phone)  # a number's mapping
    ring(client, priya.phone)
    call = post_call(client, priya.phone)
    assert CallCloneEvent.objects.get().call == call

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = manager.post(reverse("retention:forget", args=[priya.pk]), {"confirm": "on"})

    assert response.status_code == 302
    assert CallCloneEvent.objects.get().caller_phone == ""
    assert not CloneLog.objects.filter(caller_phone=priya.phone).exists()
    assert not CallerVoice.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_a_ring_looks_up_the_numbers_voice_by_index_when_most_mappings_are_contacts(client, agent):
    # Most mappings belong to a contact and have no number: after ANALYZE the plain
    # (agency, phone) index looks unselective, and SQLite scanned every mapping on each ring.
    sarah = make_library_voice("voice_sarah", name="Sarah")
    for _ in range(20):
        contact = make_contact()
        CallerVoice.objects.create(agency=contact.agency, contact=contact, library_voice=sarah)
    CallerVoice.objects.create(
        agency=sarah.agency, phone="+61412345678", library_voice=sarah, voice_id="voice_sarah"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "EXPLAIN QUERY PLAN " + _caller_sql(),
            {"agency": sarah.agency.pk.hex, "phone": "+61412345678"},
        )
        plan = " | ".join(row[-1] for row in cursor.fetchall())

    assert "SEARCH v USING INDEX" in plan, plan
    assert spoken_voice(ring(client, "+61412345678")) == "voice_sarah"
