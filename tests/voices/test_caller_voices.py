"""A mapped caller hears their own voice through a per-conversation override, never by
changing the agent; a mapping to a sample is cloned on first use, reused until its TTL and
then deleted at ElevenLabs."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from contacts.models import Contact
from tests.factories import make_contact
from tests.fakeprovider import elevenlabs_signature, load_payload
from tests.voices.helpers import make_library_voice, make_sample, ring, spoken_voice
from voices import services
from voices.models import CallerVoice, CloneLog, VoiceClone
from voices.tasks import expire_clones

pytestmark = pytest.mark.django_db


def map_contact(manager, contact, choice: str):
    return manager.post(reverse("voices:caller_map"), {"phone": contact.phone, "voice": choice})


def test_two_mapped_callers_calling_at_once_each_get_their_own_voice_with_no_agent_update(
    client, manager, agent, live_provider_settings
):
    sarah, tom = (
        make_library_voice("voice_sarah", name="Sarah"),
        make_library_voice("voice_tom", name="Tom"),
    )
    priya = make_contact(name="Priya", phone="+61412345678")
    ken = make_contact(name="Ken", phone="+61412999888")
    map_contact(manager, priya, f"library:{sarah.pk}")
    map_contact(manager, ken, f"library:{tom.pk}")

    # Both initiations are answered before either call ends: each answer carries its voice.
    first, second = ring(client, priya.phone), ring(client, ken.phone)

    assert spoken_voice(first) == "voice_sarah"
    assert spoken_voice(second) == "voice_tom"
    assert first["conversation_config_override"]["agent"]["first_message"].startswith("Hi Priya")
    assert not live_provider_settings.requests_to("PATCH", "/v1/convai/agents/")


def test_an_unmapped_caller_hears_the_agents_voice(client, agent):
    make_contact(name="Priya", phone="+61412345678")
    assert spoken_voice(ring(client, "+61412345678")) is None


def test_the_initiation_answer_stays_one_query_with_a_thousand_mappings_of_both_kinds(
    client, agent, django_assert_num_queries
):
    voice = make_library_voice("voice_sarah")
    tom = make_library_voice("voice_tom", name="Tom")
    Contact.objects.bulk_create(
        Contact(
            agency=voice.agency, name=f"Caller {n}", phone=f"+6141{n:07d}", voice_id="voice_sarah"
        )
        for n in range(1000)
    )
    CallerVoice.objects.bulk_create(
        CallerVoice(agency=voice.agency, contact=contact, library_voice=voice)
        for contact in Contact.objects.all()
    )
    CallerVoice.objects.bulk_create(  # numbers no contact has
        CallerVoice(
            agency=voice.agency, phone=f"+6142{n:07d}", library_voice=tom, voice_id="voice_tom"
        )
        for n in range(1000)
    )
    ring(client, "+61410000500")  # warms the caches

    with django_assert_num_queries(1):
        answer = ring(client, "+61410000999")
    with django_assert_num_queries(1):
        number_answer = ring(client, "+61420000999")

    assert spoken_voice(answer) == "voice_sarah"
    assert answer["dynamic_variables"]["caller_name"] == "Caller 999"
    assert spoken_voice(number_answer) == "voice_tom"


def test_a_sample_is_cloned_in_the_background_on_first_use_and_then_reused(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    priya = make_contact(name="Priya", phone="+61412345678")
    map_contact(manager, priya, f"sample:{sample.pk}")

    first = ring(client, priya.phone)  # tasks run inline here; in production, on the worker

    assert spoken_voice(first) is None  # never waits for the clone: the agent's own voice
    clone = VoiceClone.objects.get()
    assert clone.status == "ready" and clone.voice_id in live_provider_settings.voices
    log = CloneLog.objects.get()
    assert log.caller_phone == priya.phone and log.sample_bytes == sample.size_bytes
    assert spoken_voice(ring(client, priya.phone)) == clone.voice_id
    assert len(live_provider_settings.requests_to("POST", "/v1/voices/add")) == 1


def test_a_call_with_a_cached_clone_counts_a_reuse_and_records_the_voice(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    priya = make_contact(name="Priya", phone="+61412345678")
    map_contact(manager, priya, f"sample:{sample.pk}")
    clone = services.clone_sample(sample=sample)
    event = load_payload("post_call_transcription__inbound")
    event["data"]["agent_id"] = "agent_sales"
    event["data"]["metadata"]["phone_call"]["external_number"] = priya.phone
    event["data"]["conversation_initiation_client_data"] = {
        "conversation_config_override": {"tts": {"voice_id": clone.voice_id}},
        "dynamic_variables": {},
    }
    body = __import__("json").dumps(event).encode()

    for _ in range(2):  # a duplicate delivery counts once
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(
                "/webhooks/elevenlabs/post-call",
                data=body,
                content_type="application/json",
                HTTP_ELEVENLABS_SIGNATURE=elevenlabs_signature(body, "whsec_test"),
            )

    assert Call.objects.get().voice_id == clone.voice_id
    clone.refresh_from_db()
    assert clone.reuse_count == 1 and clone.last_used_at is not None


def test_an_expired_clone_is_deleted_at_elevenlabs_and_cloned_again_next_time(
    client, manager, agent, live_provider_settings
):
    sample = make_sample()
    priya = make_contact(name="Priya", phone="+61412345678")
    map_contact(manager, priya, f"sample:{sample.pk}")
    clone = services.clone_sample(sample=sample)
    VoiceClone.objects.filter(pk=clone.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert expire_clones() == 1

    assert live_provider_settings.requests_to("DELETE", f"/v1/voices/{clone.voice_id}")
    assert clone.voice_id not in live_provider_settings.voices
    clone.refresh_from_db()
    assert clone.status == "deleted"
    assert spoken_voice(ring(client, priya.phone)) is None  # cloned again in the background
    assert VoiceClone.objects.filter(status="ready").exclude(pk=clone.pk).exists()


def test_a_clone_within_its_ttl_is_kept(manager, live_provider_settings):
    clone = services.clone_sample(sample=make_sample())
    assert expire_clones() == 0
    clone.refresh_from_db()
    assert clone.status == "ready"
    assert clone.expires_at - clone.ready_at == timedelta(hours=24)


def test_the_agency_sets_how_long_clones_are_kept(manager, live_provider_settings):
    manager.post(reverse("voices:ttl"), {"voice_clone_ttl_hours": "6"})
    clone = services.clone_sample(sample=make_sample())
    assert clone.expires_at - clone.ready_at == timedelta(hours=6)


def test_the_expiry_sweep_is_scheduled_on_migrate():
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="voices.tasks.expire_clones").exists()


def test_an_outbound_call_speaks_with_the_contacts_voice(
    manager, agent, live_provider_settings, numbers_washed, within_calling_hours
):
    voice = make_library_voice("voice_sarah")
    priya = make_contact(name="Priya", phone="+61412345678")
    map_contact(manager, priya, f"library:{voice.pk}")

    manager.post(
        reverse("contacts:call_number"),
        {"phone": priya.phone, "agent": agent.id, "purpose": "service"},
    )

    (request,) = live_provider_settings.requests_to("POST", "/v1/convai/twilio/outbound-call")
    override = request.json["conversation_initiation_client_data"]["conversation_config_override"]
    assert override["tts"] == {"voice_id": "voice_sarah"}
    assert Call.objects.get().voice_id == "voice_sarah"
    assert not live_provider_settings.requests_to("PATCH", "/v1/convai/agents/")


def test_mapping_to_a_voice_not_in_the_library_is_refused(manager):
    response = manager.post(
        reverse("voices:caller_map"), {"phone": "+61412000000", "voice": "library:x"}, follow=True
    )
    assert "Choose a voice from the list" in response.content.decode()
    assert not CallerVoice.objects.exists()


def test_a_simulated_call_shows_the_voice_it_used(
    manager, agent, numbers_washed, within_calling_hours
):
    voice = make_library_voice("voice_sbx_sarah")
    priya = make_contact(name="Priya", phone="+61412345678")
    map_contact(manager, priya, f"library:{voice.pk}")

    manager.post(
        reverse("contacts:call_number"),
        {"phone": priya.phone, "agent": agent.id, "purpose": "service"},
    )

    call = Call.objects.get()
    assert call.voice_id == "voice_sbx_sarah"
    page = manager.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "voice_sbx_sarah" in page and "the caller's own voice" in page
    assert "This call spoke with <strong>Sarah</strong>" in page  # by name, not only its id


def test_the_sandbox_clones_with_a_synthetic_voice_id(manager):
    clone = services.clone_sample(sample=make_sample())
    assert clone.status == "ready" and clone.voice_id.startswith("voice_sbx_")
