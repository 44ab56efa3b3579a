"""Forgetting a person removes their memories, messages, transcripts and recordings after a
confirmation naming what goes, and keeps anonymous call counts; an access request exports
everything held about them as one JSON file."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse

from audit.models import AuditEntry
from calls.models import Call, SmsMessage, WebhookEvent
from contacts.models import Contact, Memory, SuppressedNumber
from contacts.opt_out import is_suppressed, opt_out_contact
from retention.forgetting import access_export, forget_contact
from tests.factories import default_agency, make_call, make_contact, make_memory, make_staff_user
from tests.fakeprovider.server import FAKE_MP3

pytestmark = pytest.mark.django_db

PHONE = "+61412555666"


@pytest.fixture
def priya():
    """A caller with two memories, two calls (one with a stored recording), an SMS each way."""
    contact = make_contact(name="Priya Sharma", phone=PHONE, email="priya@example.com")
    make_memory(contact, "Budget about 900k")
    make_memory(contact, "Two kids, wants a yard")
    linked = make_call(contact=contact, from_phone=PHONE, elevenlabs_conversation_id="conv_p1")
    linked.recording_file.save(f"{linked.pk}.mp3", ContentFile(FAKE_MP3), save=True)
    # A call from before she was a contact: found by her number.
    make_call(from_phone=PHONE, summary="Asked about Ocean St", sms_body="Hi Priya!")
    WebhookEvent.objects.create(
        agency=default_agency(),
        event_type="post_call_transcription",
        conversation_id="conv_p1",
        payload={"data": {"transcript": [{"message": "I'm Priya"}]}},
    )
    for direction, sender, receiver in (
        ("outbound", "+61280001234", PHONE),
        ("inbound", PHONE, "+61280001234"),
    ):
        SmsMessage.objects.create(
            agency=default_agency(),
            contact=contact,
            direction=direction,
            from_phone=sender,
            to_phone=receiver,
            body="Thanks Priya, see you Saturday",
            sid=f"SM{direction}",
        )
    return contact


def test_the_confirmation_names_what_goes(staff_client, priya):
    html = staff_client.get(reverse("retention:forget", args=[priya.pk])).content.decode()

    assert "Forget Priya Sharma?" in html
    assert "2 memories" in html
    assert "1 recording and 2 transcripts" in html and "2 calls" in html
    assert "2 SMS messages" in html
    assert "cannot be undone" in html


def test_forgetting_needs_the_box_ticked(staff_client, priya):
    response = staff_client.post(reverse("retention:forget", args=[priya.pk]), {})

    assert "Tick the box to confirm" in response.content.decode()
    assert Contact.objects.filter(pk=priya.pk).exists()


def test_forgetting_removes_their_words_and_keeps_anonymous_calls(staff_client, priya):
    recording = Call.objects.get(contact=priya).recording_file.name
    call_count = Call.objects.count()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = staff_client.post(
            reverse("retention:forget", args=[priya.pk]), {"confirm": "on"}
        )

    assert response.status_code == 302
    assert not Contact.objects.filter(pk=priya.pk).exists()
    assert not Memory.objects.exists()
    assert Call.objects.count() == call_count  # the counts still add up
    for call in Call.objects.all():
        assert call.contact is None and call.from_phone == ""
        assert call.transcript == [] and call.summary == "" and call.sms_body == ""
        assert not call.recording_file and call.recording_removed
        assert call.duration == 145 and call.status == "completed"
    assert not default_storage.exists(recording)
    assert WebhookEvent.objects.get(conversation_id="conv_p1").payload == {}
    assert set(SmsMessage.objects.values_list("body", flat=True)) == {""}
    assert PHONE not in json.dumps(list(SmsMessage.objects.values("from_phone", "to_phone")))
    entry = AuditEntry.objects.get(kind="contact.forgotten")
    assert entry.target == f"contact:{priya.pk}" and "Priya" not in entry.summary
    assert entry.detail["counts"]["memories"] == 2


def test_a_forgotten_person_who_opted_out_stays_opted_out(staff_user, priya):
    opt_out_contact(contact_id=priya.pk, by="STOP reply", agency=priya.agency)

    forget_contact(contact=priya, actor=staff_user)

    assert SuppressedNumber.objects.filter(phone=PHONE).exists()
    assert is_suppressed(PHONE, agency=default_agency())


def test_forgetting_is_for_owners_and_managers(client, priya):
    for role, status in (("manager", 200), ("staff", 403), ("read_only", 403)):
        client.force_login(make_staff_user(username=f"user-{role}", role=role))
        assert client.get(reverse("retention:forget", args=[priya.pk])).status_code == status
        assert client.get(reverse("retention:access_export", args=[priya.pk])).status_code == status


def test_the_access_export_holds_everything_about_them_as_one_json_file(staff_client, priya):
    response = staff_client.get(reverse("retention:access_export", args=[priya.pk]))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="contact-{priya.pk}.json"'
    export = json.loads(response.content)
    assert export["contact"]["name"] == "Priya Sharma"
    assert export["contact"]["email"] == "priya@example.com"
    assert {m["content"] for m in export["memories"]} == {
        "Budget about 900k",
        "Two kids, wants a yard",
    }
    assert len(export["calls"]) == 2 and export["calls"][0]["transcript"]
    assert {sms["direction"] for sms in export["sms_messages"]} == {"inbound", "outbound"}
    assert AuditEntry.objects.filter(kind="contact.access_export").count() == 1


def test_the_export_and_forget_functions_serve_callers_without_a_request(staff_user, priya):
    export = access_export(contact=priya, actor=None)
    plan = forget_contact(contact=priya, actor=None)

    assert export["contact"]["phone"] == PHONE
    assert plan.memories == 2 and plan.calls == 2
    assert AuditEntry.objects.get(kind="contact.forgotten").who == "Voqo"
