"""The Messages page: one thread per number, newest first, unread counts, replies refused to
people who opted out, STOP/START in the thread, and the `sms.received` event."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import SmsMessage
from contacts.models import SuppressedNumber
from messages.models import SmsTemplate, Thread
from tests.calls.conftest import post_twilio
from tests.factories import default_agency, make_agency, make_call, make_contact
from voqo.events import domain_event

pytestmark = pytest.mark.django_db
MESSAGES = "/2010-04-01/Accounts/"


def text_in(client, sender: str, body: str, sid: str):
    return post_twilio(
        client,
        "twilio_sms",
        {"MessageSid": sid, "From": sender, "To": "+61280001234", "Body": body},
    )


def test_threads_are_newest_first_with_unread_counts(client, staff_client, live_provider_settings):
    make_contact(name="Priya", phone="+61412345678")
    make_contact(name="Wes", phone="+61412999888")
    text_in(client, "+61412345678", "Hi there", "SM1")
    text_in(client, "+61412999888", "Is it still for sale?", "SM2")
    text_in(client, "+61412345678", "Saturday suits me", "SM3")

    page = staff_client.get(reverse("messages:list")).content.decode()

    assert page.index("Priya") < page.index("Wes")  # Priya's last message is newer
    assert "Saturday suits me" in page and "Hi there" not in page
    priya = Thread.objects.get(phone="+61412345678")
    assert priya.unread_count == 2
    badge = staff_client.get(reverse("messages:unread")).content.decode()
    assert "3" in badge and "unread" in badge

    thread_page = staff_client.get(reverse("messages:thread", args=[priya.id])).content.decode()
    assert thread_page.index("Hi there") < thread_page.index("Saturday suits me")
    priya.refresh_from_db()
    assert priya.unread_count == 0
    assert "1" in staff_client.get(reverse("messages:unread")).content.decode()


def test_a_post_call_sms_and_a_reply_share_the_thread(
    client, staff_client, live_provider_settings, django_capture_on_commit_callbacks
):
    priya = make_contact(name="Priya", phone="+61412345678")
    call = make_call(contact=priya, from_phone="+61412345678")
    SmsMessage.objects.create(
        agency=default_agency(),
        direction="outbound",
        contact=priya,
        call=call,
        from_phone="+61280001234",
        to_phone="+61412345678",
        body="Thanks for calling, Priya",
        sid="SMfollowup",
        status="delivered",
    )
    text_in(client, "+61412345678", "Thanks!", "SM9")

    (thread,) = Thread.objects.all()
    page = staff_client.get(reverse("messages:thread", args=[thread.id])).content.decode()
    assert "Thanks for calling, Priya" in page and "After a call" in page
    assert "Delivered" in page and "Thanks!" in page


def test_a_reply_is_sent_with_variables_and_its_delivery_status(
    client, staff_client, live_provider_settings
):
    make_contact(name="Priya Sharma", phone="+61412345678")
    text_in(client, "+61412345678", "Hello?", "SM1")
    thread = Thread.objects.get()

    response = staff_client.post(
        reverse("messages:reply", args=[thread.id]), {"body": "Hi {first_name}, yes it is."}
    )

    assert response.status_code == 302
    (request,) = [r for r in live_provider_settings.requests_to("POST", MESSAGES)]
    assert request.form["Body"] == "Hi Priya, yes it is." and request.form["To"] == "+61412345678"
    sent = SmsMessage.objects.get(direction="outbound")
    assert sent.sid.startswith("SM") and sent.status == "queued"
    thread.refresh_from_db()
    assert thread.last_direction == "outbound" and thread.last_body == "Hi Priya, yes it is."
    page = staff_client.get(reverse("messages:thread", args=[thread.id])).content.decode()
    assert "Queued" in page


def test_the_preview_counts_segments_and_names_bad_variables(
    client, staff_client, live_provider_settings
):
    text_in(client, "+61412345678", "Hello?", "SM1")
    thread = Thread.objects.get()
    url = reverse("messages:preview", args=[thread.id])

    ok = staff_client.post(url, {"body": "x" * 161}).content.decode()
    assert "161 characters · 2 segments (GSM-7)" in ok
    bad = staff_client.post(url, {"body": "Hi {nmae}"}).content.decode()
    assert "Unknown variable {nmae}" in bad


def test_a_reply_to_an_opted_out_contact_is_refused_with_the_reason(
    client, staff_client, live_provider_settings
):
    make_contact(name="Priya", phone="+61412345678")
    text_in(client, "+61412345678", "STOP", "SM1")
    thread = Thread.objects.get()

    page = staff_client.get(reverse("messages:thread", args=[thread.id])).content.decode()
    assert "Opted out (STOP)" in page
    assert "Priya opted out by replying STOP on" in page
    assert 'action="/messages/' not in page.split("Reply</h2>")[1].split("</section>")[0]

    response = staff_client.post(reverse("messages:reply", args=[thread.id]), {"body": "Hi"})

    assert "Priya opted out by replying STOP" in response.content.decode()
    assert not live_provider_settings.requests_to("POST", MESSAGES)
    assert not SmsMessage.objects.filter(direction="outbound").exists()

    text_in(client, "+61412345678", "START", "SM2")
    page = staff_client.get(reverse("messages:thread", args=[thread.id])).content.decode()
    assert "Opted back in (START)" in page and "opted out by replying" not in page


def test_a_number_opted_out_by_staff_is_refused_too(staff_client, live_provider_settings):
    SuppressedNumber.objects.create(
        agency=default_agency(),
        phone="+61412345678",
        suppressed_at=timezone.now(),
        source="staff@example.com",
    )
    response = staff_client.post(
        reverse("messages:new"), {"phone": "0412 345 678", "body": "Hello"}
    )
    assert "opted out (staff@example.com)" in response.content.decode()
    assert not live_provider_settings.requests_to("POST", MESSAGES)


def test_a_landline_cannot_be_texted(staff_client, live_provider_settings):
    response = staff_client.post(
        reverse("messages:new"), {"phone": "02 8000 1234", "body": "Hello"}
    )
    assert "is a landline, which cannot receive SMS" in response.content.decode()


def test_twilio_refusing_a_recipient_opts_the_number_out(staff_client, live_provider_settings):
    live_provider_settings.opt_out("+61412345678")
    response = staff_client.post(
        reverse("messages:new"), {"phone": "0412 345 678", "body": "Hello"}
    )
    assert response.status_code == 302
    assert SmsMessage.objects.get().status == "failed"
    assert SuppressedNumber.objects.filter(phone="+61412345678").exists()


def test_a_saved_template_fills_the_reply_box(client, staff_client, live_provider_settings):
    text_in(client, "+61412345678", "Hello?", "SM1")
    thread = Thread.objects.get()
    staff_client.post(
        reverse("messages:templates"), {"name": "Open home", "body": "Open home Sat 10am."}
    )
    template = SmsTemplate.objects.get()
    duplicate = staff_client.post(
        reverse("messages:templates"), {"name": "open home", "body": "x"}
    ).content.decode()
    assert "A template with this name exists already." in duplicate

    page = staff_client.get(
        reverse("messages:thread", args=[thread.id]), {"template": template.id}
    ).content.decode()
    assert "Open home Sat 10am.</textarea>" in page


def test_an_inbound_sms_is_announced_as_sms_received(client, live_provider_settings):
    make_contact(name="Priya", phone="+61412345678")
    seen = []

    def listener(sender, **kwargs):
        seen.append(kwargs)

    domain_event.connect(listener)
    try:
        text_in(client, "+61412345678", "Hello", "SM1")
    finally:
        domain_event.disconnect(listener)

    (event,) = seen
    assert event["event_type"] == "sms.received" and event["agency"] == default_agency()
    assert event["data"]["from"] == "+61412345678" and event["data"]["body"] == "Hello"


def test_polling_slows_down_when_the_thread_is_idle(client, staff_client, live_provider_settings):
    text_in(client, "+61412345678", "Hello", "SM1")
    thread = Thread.objects.get()
    url = reverse("messages:thread", args=[thread.id])

    fresh = staff_client.get(url, {"part": "messages"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 3s"' in fresh and "<html" not in fresh

    SmsMessage.objects.update(created_at=timezone.now() - timedelta(hours=3))
    idle = staff_client.get(url, {"part": "messages"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 60s"' in idle


def test_another_agencys_threads_are_not_listed(client, staff_client, live_provider_settings):
    other = make_agency()
    make_contact(name="Theirs", phone="+61412345678", agency=other)
    text_in(client, "+61412345678", "Hello", "SM1")
    assert "Theirs" not in staff_client.get(reverse("messages:list")).content.decode()


def test_the_sandbox_simulates_a_stop_from_a_contact(staff_client, settings):
    settings.VOQO_PROVIDER = "sandbox"
    priya = make_contact(name="Priya", phone="+61412345678")

    page = staff_client.get(reverse("messages:list")).content.decode()
    assert "Sandbox: simulate a text to your number" in page
    response = staff_client.post(
        reverse("sandbox_simulate_sms"), {"from_phone": "0412 345 678", "body": "STOP"}
    )

    thread = Thread.objects.get()
    assert response.url == reverse("messages:thread", args=[thread.id])
    priya.refresh_from_db()
    assert priya.is_opted_out and thread.unread_count == 1

    bad = staff_client.post(reverse("sandbox_simulate_sms"), {"from_phone": "12", "body": "x"})
    assert bad.status_code == 302 and Thread.objects.count() == 1
