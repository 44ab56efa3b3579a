"""A STOP is kept by number: every call, SMS and campaign path obeys it, contact or not."""

import io

import pytest
from django.urls import reverse

from calls.models import Call
from campaigns import engine
from campaigns.models import JobCall
from contacts.imports import import_contacts_csv
from contacts.models import Contact, SuppressedNumber
from tests.calls.conftest import post_event, post_twilio
from tests.campaigns.helpers import dialled_numbers, make_job, mobiles
from tests.factories import default_agency, make_agent, make_contact
from tests.fakeprovider import load_payload
from voqo.models import Setting

pytestmark = pytest.mark.django_db
STRANGER = "+61412345678"
MESSAGES = "/2010-04-01/Accounts/"
OUTBOUND = "/v1/convai/twilio/outbound-call"


@pytest.fixture(autouse=True)
def provider(live_provider_settings):
    return live_provider_settings


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_8701k3example", sync_status="synced")


def reply(client, body: str, sid: str, sender: str = STRANGER, **extra):
    params = {"MessageSid": sid, "From": sender, "To": "+61280001234", "Body": body}
    return post_twilio(client, "twilio_sms", params | extra)


def stop_from_stranger(client) -> None:
    reply(client, "STOP", "SM" + "1" * 32)
    assert not Contact.objects.exists()


def test_a_stop_from_a_stranger_is_kept_by_number(client):
    stop_from_stranger(client)

    suppression = SuppressedNumber.objects.get()
    assert suppression.phone == STRANGER and suppression.source == "sms"
    assert suppression.suppressed_at is not None


def test_a_stranger_who_said_stop_is_not_texted_after_their_first_call(
    client, staff_client, agent, provider
):
    stop_from_stranger(client)

    post_event(client, load_payload("post_call_transcription__inbound"))

    call = Call.objects.get()
    assert not provider.requests_to("POST", MESSAGES)
    assert call.sms_status == "skipped"
    # The contact made for the caller carries the earlier opt-out, shown on its page.
    contact = call.contact
    assert contact.phone == STRANGER and contact.is_opted_out and contact.opted_out_by == "sms"
    page = staff_client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert "Opted out" in page and "Undo opt-out" in page


@pytest.mark.parametrize("word", ["YES", "yes", "Start", "UNSTOP"])
def test_yes_start_and_unstop_after_stop_opt_the_number_back_in(client, agent, provider, word):
    stop_from_stranger(client)

    reply(client, word, "SM" + "2" * 32)

    assert not SuppressedNumber.objects.exists()
    post_event(client, load_payload("post_call_transcription__inbound"))
    assert Call.objects.get().sms_status == "sent"


def test_yes_opts_a_contact_back_in(client):
    contact = make_contact(phone=STRANGER)
    reply(client, "STOP", "SM" + "1" * 32)
    contact.refresh_from_db()
    assert contact.is_opted_out

    reply(client, "Yes", "SM" + "2" * 32)

    contact.refresh_from_db()
    assert not contact.is_opted_out and not SuppressedNumber.objects.exists()


def test_a_contact_added_later_for_a_suppressed_number_starts_opted_out(client, staff_client):
    stop_from_stranger(client)

    staff_client.post(reverse("contacts:add"), {"name": "Priya", "phone": "0412 345 678"})

    contact = Contact.objects.get()
    assert contact.is_opted_out and contact.opted_out_by == "sms"


def test_staff_undo_clears_the_number_too(client, staff_client):
    stop_from_stranger(client)
    contact = make_contact(name="Priya", phone=STRANGER)
    assert contact.is_opted_out

    staff_client.post(reverse("contacts:opt_in", args=[contact.id]))

    contact.refresh_from_db()
    assert not contact.is_opted_out and not SuppressedNumber.objects.exists()


def test_a_staff_opt_out_outlives_deleting_the_contact(staff_client):
    contact = make_contact(name="Priya", phone=STRANGER)
    staff_client.post(reverse("contacts:opt_out", args=[contact.id]))
    contact.delete()

    recreated = make_contact(name="Priya again", phone=STRANGER)

    assert recreated.is_opted_out and recreated.opted_out_by == "staff"


def test_call_a_number_refuses_a_suppressed_number(client, staff_client, agent, provider):
    stop_from_stranger(client)

    response = staff_client.post(
        reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 345 678"}
    )

    assert not provider.requests_to("POST", OUTBOUND) and not Call.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "0412 345 678 has opted out of calls and messages, so Voqo will not call it."
    ]


def test_campaign_dispatch_skips_a_suppressed_number(client, provider):
    phones = mobiles(3)
    reply(client, "STOP", "SM" + "1" * 32, sender=phones[1])
    job = make_job(phones, cap=5)

    engine.dispatch_tick()

    assert dialled_numbers(provider) == [phones[0], phones[2]]
    skipped = JobCall.objects.get(job=job, status=JobCall.Status.SKIPPED)
    assert skipped.batch_contact.phone == phones[1] and skipped.error_message == "Opted out"


def test_an_import_creating_a_contact_for_a_suppressed_number_keeps_the_opt_out(client):
    default_agency()
    stop_from_stranger(client)
    csv = b"name,phone\nPriya,0412 345 678\nSam,0413 111 222\n"

    report = import_contacts_csv(io.BytesIO(csv), commit=True, agency=default_agency())

    assert report.created == 2
    assert Contact.objects.get(phone=STRANGER).is_opted_out
    assert not Contact.objects.get(phone="+61413111222").is_opted_out


def test_twilio_unsubscribed_error_suppresses_a_number_that_is_no_contact(client, agent, provider):
    Setting.set_value("auto_create_contacts", False, default_agency())
    provider.fail_next("POST", MESSAGES, 400, code=21610, message="Attempt to send to unsubscribed")

    post_event(client, load_payload("post_call_transcription__inbound"))

    assert Call.objects.get().sms_status == "failed" and not Contact.objects.exists()
    assert SuppressedNumber.objects.get().phone == STRANGER
