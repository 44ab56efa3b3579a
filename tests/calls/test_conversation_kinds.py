"""Conversations that are not ordinary phone calls, and payloads with parts left out."""

import copy

import pytest
from django.urls import reverse

from calls import applying
from calls.models import Call
from contacts.models import Contact, Memory
from tests.calls.conftest import post_event
from tests.factories import make_contact, make_memory
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db
MESSAGES = "/2010-04-01/Accounts/"


def _event(conversation_id: str, kind: str = "post_call_transcription__inbound") -> dict:
    event = copy.deepcopy(load_payload(kind))
    event["data"]["conversation_id"] = conversation_id
    return event


# -- web, widget and test conversations ------------------------------------------------------


def test_a_web_conversation_is_recorded_as_web_without_a_contact_or_an_sms(
    client, agent, provider, staff_client
):
    event = _event("conv_web")
    del event["data"]["metadata"]["phone_call"]

    assert post_event(client, event).status_code == 200

    call = Call.objects.get()
    assert call.channel == "web" and call.direction == "inbound"
    assert call.from_phone == "" and call.to_phone == ""
    assert call.summary and call.agent == agent
    assert call.contact is None and not Contact.objects.exists() and not Memory.objects.exists()
    assert call.sms_status == "skipped" and "Web" in call.sms_error
    assert not provider.requests_to("POST", MESSAGES)
    page = staff_client.get(reverse("calls:detail", args=[call.pk]))
    assert b"Web or test" in page.content


def test_a_phone_call_is_recorded_as_phone(client, agent):
    post_event(client, _event("conv_phone"))

    assert Call.objects.get().channel == "phone"


# -- exclude_transcript ------------------------------------------------------------------------


def _without_transcript(conversation_id: str, kind: str = "post_call_transcription__inbound"):
    event = _event(conversation_id, kind)
    del event["data"]["transcript"]
    return event


def test_without_a_transcript_has_user_audio_decides_that_the_caller_spoke(client, agent, provider):
    event = _without_transcript("conv_excluded")
    event["data"]["has_user_audio"] = True

    post_event(client, event)

    call = Call.objects.get()
    assert call.transcript == [] and call.caller_spoke is True
    assert call.sms_status == "sent"


def test_without_a_transcript_or_audio_flags_a_call_with_collected_facts_gets_its_sms(
    client, agent, provider
):
    post_event(client, _without_transcript("conv_excluded"))

    call = Call.objects.get()
    assert call.caller_spoke is True and call.sms_status == "sent"


def test_without_a_transcript_a_short_call_with_nothing_collected_counts_as_silent(
    client, agent, provider
):
    event = _without_transcript("conv_short", "post_call_transcription__silent")
    event["data"]["metadata"]["call_duration_secs"] = 6

    post_event(client, event)

    call = Call.objects.get()
    assert call.caller_spoke is False
    assert call.sms_status == "skipped" and call.sms_error == "The caller never spoke."


def test_has_user_audio_false_means_silent_even_for_a_long_call(client, agent, provider):
    event = _without_transcript("conv_quiet", "post_call_transcription__silent")
    event["data"]["has_user_audio"] = False
    event["data"]["metadata"]["call_duration_secs"] = 90

    post_event(client, event)

    assert Call.objects.get().sms_status == "skipped"


def test_a_transcript_with_user_turns_still_decides_on_its_own(client, agent, provider):
    event = _event("conv_both")
    event["data"]["has_user_audio"] = False  # the transcript wins where it is present

    post_event(client, event)

    assert Call.objects.get().caller_spoke is True


# -- memories --------------------------------------------------------------------------------


def test_one_call_adds_a_bounded_number_of_memories(client, agent):
    event = _event("conv_chatty")
    lines = "- A long one " + "x" * 2000 + "\n" + "\n".join(f"- Fact {n}" for n in range(5000))
    event["data"]["analysis"]["data_collection_results"]["caller_memories"]["value"] = lines

    post_event(client, event)

    memories = list(Memory.objects.values_list("content", flat=True))
    assert len(memories) == applying.MAX_MEMORIES_PER_CALL
    assert all(len(memory) <= applying.MAX_MEMORY_CHARS for memory in memories)


def test_the_contact_page_shows_memories_a_page_at_a_time(
    staff_client, django_assert_max_num_queries
):
    contact = make_contact(name="Priya")
    for n in range(120):
        make_memory(contact, f"Memory {n:03d}")

    with django_assert_max_num_queries(20):
        first = staff_client.get(reverse("contacts:detail", args=[contact.pk]))
    html = first.content.decode()
    assert html.count('class="memory') >= 1
    assert "Memory 119" in html and "Memory 069" not in html
    assert "Page 1 of 3" in html and "memories_page=2" in html

    last = staff_client.get(reverse("contacts:detail", args=[contact.pk]), {"memories_page": 3})
    assert "Memory 000" in last.content.decode() and "Memory 119" not in last.content.decode()
