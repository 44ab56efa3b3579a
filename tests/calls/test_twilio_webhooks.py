import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import SmsMessage
from contacts.models import Contact
from tests.calls.conftest import post_twilio
from tests.factories import make_call, make_contact

pytestmark = pytest.mark.django_db


def inbound(body, sid="SM" + "1" * 32, sender="+61412345678", **extra):
    return {
        "MessageSid": sid,
        "From": sender,
        "To": "+61280001234",
        "Body": body,
        "AccountSid": "AC" + "0" * 32,
        **extra,
    }


def test_reply_is_stored_on_the_contact_and_answered_with_empty_twiml(client):
    contact = make_contact(name="Priya", phone="+61412345678")

    response = post_twilio(client, "twilio_sms", inbound("Thanks, see you Saturday"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content
    message = SmsMessage.objects.get()
    assert message.contact == contact and message.direction == "inbound"
    assert message.body == "Thanks, see you Saturday"


def test_a_redelivered_reply_is_stored_once(client):
    make_contact(phone="+61412345678")
    post_twilio(client, "twilio_sms", inbound("Hello"))
    post_twilio(client, "twilio_sms", inbound("Hello"))

    assert SmsMessage.objects.count() == 1


def test_reply_from_an_unknown_number_is_kept_without_a_contact(client):
    post_twilio(client, "twilio_sms", inbound("Who is this?", sender="+61499000111"))

    assert SmsMessage.objects.get().contact is None
    assert not Contact.objects.exists()


@pytest.mark.parametrize("word", ["STOP", "stop", "Unsubscribe!", " quit. ", "StopAll", "OPTOUT"])
def test_stop_words_opt_the_contact_out(client, word):
    contact = make_contact(phone="+61412345678")

    post_twilio(client, "twilio_sms", inbound(word))

    contact.refresh_from_db()
    assert contact.is_opted_out and contact.opted_out_by == "sms"


def test_advanced_opt_out_type_stop_opts_out_and_start_opts_back_in(client):
    contact = make_contact(phone="+61412345678")

    post_twilio(client, "twilio_sms", inbound("please stop texting", OptOutType="STOP"))
    contact.refresh_from_db()
    assert contact.is_opted_out

    post_twilio(client, "twilio_sms", inbound("start", sid="SM" + "2" * 32))
    contact.refresh_from_db()
    assert not contact.is_opted_out and contact.opted_out_by == ""


def test_a_sentence_mentioning_stop_is_not_an_opt_out(client):
    contact = make_contact(phone="+61412345678")

    post_twilio(client, "twilio_sms", inbound("Don't stop the inspection"))

    contact.refresh_from_db()
    assert not contact.is_opted_out


@pytest.mark.parametrize("route", ["twilio_sms", "twilio_sms_status"])
def test_unsigned_or_forged_twilio_requests_are_refused(client, route):
    make_contact(phone="+61412345678")
    params = inbound("STOP") | {"MessageStatus": "delivered"}

    forged = post_twilio(client, route, params, token="not-the-token")
    missing = post_twilio(client, route, params, signature="")

    assert forged.status_code == missing.status_code == 403
    assert not SmsMessage.objects.exists()
    assert not Contact.objects.get().is_opted_out


def _sent_message(status="queued"):
    contact = make_contact(phone="+61412345678")
    call = make_call(contact=contact)
    return SmsMessage.objects.create(
        agency=call.agency,
        direction="outbound",
        contact=contact,
        call=call,
        from_phone="+61280001234",
        to_phone="+61412345678",
        body="Hi",
        sid="SM" + "9" * 32,
        status=status,
    )


def status(sid, value, **extra):
    return {"MessageSid": sid, "MessageStatus": value, "AccountSid": "AC" + "0" * 32, **extra}


def test_delivery_status_only_moves_forward(client):
    message = _sent_message()

    for value in ["sent", "delivered", "sending", "sent", "undelivered"]:
        response = post_twilio(client, "twilio_sms_status", status(message.sid, value))
        assert response.status_code == 204

    message.refresh_from_db()
    assert message.status == "delivered"


def test_failed_delivery_records_the_error_code_and_21610_opts_out(client):
    message = _sent_message(status="sent")

    post_twilio(client, "twilio_sms_status", status(message.sid, "failed", ErrorCode="21610"))

    message.refresh_from_db()
    assert message.status == "failed" and message.error_code == "21610"
    assert message.contact.__class__.objects.get(pk=message.contact_id).is_opted_out


def test_opt_out_time_is_kept_when_stop_is_repeated(client):
    contact = make_contact(phone="+61412345678")
    post_twilio(client, "twilio_sms", inbound("STOP"))
    first = Contact.objects.get(pk=contact.pk).opted_out_at
    post_twilio(client, "twilio_sms", inbound("STOP", sid="SM" + "3" * 32))

    assert Contact.objects.get(pk=contact.pk).opted_out_at == first <= timezone.now()


@pytest.mark.parametrize(
    ("sequence", "final"),
    [
        (["scheduled", "queued", "sending", "sent", "delivered", "read"], "read"),
        (["scheduled", "canceled", "queued", "sent", "delivered"], "canceled"),
        (["sent", "partially_delivered", "delivered", "read", "delivered"], "read"),
        (["sent", "partially_delivered", "sending"], "partially_delivered"),
        (["sent", "failed", "read"], "failed"),
    ],
)
def test_twilio_newer_statuses_only_move_a_message_forward(client, sequence, final):
    message = _sent_message(status="")

    for value in sequence:
        response = post_twilio(client, "twilio_sms_status", status(message.sid, value))
        assert response.status_code == 204

    message.refresh_from_db()
    assert message.status == final


def test_partially_delivered_reads_as_words_on_the_call_page(staff_client):
    message = _sent_message(status="sent")
    post_twilio(staff_client, "twilio_sms_status", status(message.sid, "partially_delivered"))

    page = staff_client.get(reverse("calls:detail", args=[message.call_id]))

    assert "Partially delivered" in page.content.decode()
