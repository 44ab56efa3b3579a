import pytest
from django.core.management import call_command
from django.utils import timezone

from calls import followup_sms
from calls.models import Call, SmsMessage
from contacts.models import Contact
from tests.calls.conftest import post_event, run_after_commit
from tests.factories import default_agency, make_contact
from tests.fakeprovider import load_payload
from voqo.models import Setting

pytestmark = pytest.mark.django_db
MESSAGES = "/2010-04-01/Accounts/"


def test_sms_uses_the_template_with_every_variable(client, agent, provider):
    Setting.set_value(
        "sms_template",
        "Hi {caller_name} ({caller_phone}): {call_summary} | "
        "{agent_name} {call_duration} {call_date}",
        default_agency(),
    )

    post_event(client, load_payload("post_call_transcription__inbound"))

    body = provider.last_request("POST", MESSAGES).form["Body"]
    call = Call.objects.get()
    local = timezone.localtime(call.started_at)
    assert body == (
        "Hi Priya (0412 345 678): Priya asked about 12 Ocean Street ... | Lisa 2m 25s "
        f"{local.day} {local:%B %Y}"
    )
    assert call.sms_body == body and call.sms_sent_at is not None
    message = SmsMessage.objects.get()
    assert message.direction == "outbound" and message.call == call and message.status == "queued"


def test_a_known_contact_is_greeted_by_first_name_and_called_by_full_name(client, agent, provider):
    make_contact(name="Priya Sharma", phone="+61412345678")
    Setting.set_value(
        "sms_template", "Hi {first_name} / {caller_name}. {call_summary}", default_agency()
    )

    post_event(client, load_payload("post_call_transcription__inbound"))

    body = provider.last_request("POST", MESSAGES).form["Body"]
    assert body.startswith("Hi Priya / Priya Sharma. ")


def test_unknown_caller_is_greeted_as_there(client, agent, provider):
    post_event(client, load_payload("post_call_transcription__no_name"))

    assert provider.last_request("POST", MESSAGES).form["Body"].startswith("Hi there,")


def test_disabled_sms_and_opted_out_contacts_get_nothing(client, agent, provider):
    make_contact(name="Priya", phone="+61412345678", opted_out_at=timezone.now())
    post_event(client, load_payload("post_call_transcription__inbound"))
    assert Call.objects.get().sms_error == "The contact has opted out of messages."

    Setting.set_value("sms_enabled", False, default_agency())
    outbound = load_payload("post_call_transcription__no_name")
    post_event(client, outbound)

    assert not provider.requests_to("POST", MESSAGES)
    assert set(Call.objects.values_list("sms_status", flat=True)) == {"skipped"}


def test_twilio_failure_is_recorded_and_retried_until_it_succeeds(client, agent, provider):
    provider.fail_next("POST", MESSAGES, 500)

    post_event(client, load_payload("post_call_transcription__inbound"))

    call = Call.objects.get()
    assert call.status == "completed" and call.summary  # the rest of processing went on
    assert call.sms_status == "pending" and not call.sms_sent
    assert call.sms_attempts == 1 and call.sms_next_attempt_at > timezone.now()
    assert "500" in call.sms_error or "error" in call.sms_error.lower()
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="calls.tasks.send_post_call_sms").exists()

    # Not due yet: the retry tick leaves it alone.
    call_command("retry_post_call_work", stdout=__import__("io").StringIO())
    assert len(provider.requests_to("POST", MESSAGES)) == 1

    Call.objects.filter(pk=call.pk).update(sms_next_attempt_at=timezone.now())
    call_command("retry_post_call_work", stdout=__import__("io").StringIO())

    call.refresh_from_db()
    assert call.sms_status == "sent" and call.sms_sent and call.sms_attempts == 2
    assert call.sms_error == ""
    assert len(provider.requests_to("POST", MESSAGES)) == 2


def test_retries_stop_after_the_last_attempt(client, agent, provider):
    provider.fail_next("POST", MESSAGES, 503, times=10)
    post_event(client, load_payload("post_call_transcription__inbound"))
    call = Call.objects.get()
    for _ in range(10):
        Call.objects.filter(pk=call.pk).update(sms_next_attempt_at=timezone.now())
        followup_sms.send_post_call_sms(call.pk)

    call.refresh_from_db()
    assert call.sms_status == "failed"
    assert call.sms_attempts == followup_sms.SMS_MAX_ATTEMPTS
    assert len(provider.requests_to("POST", MESSAGES)) == followup_sms.SMS_MAX_ATTEMPTS


def test_twilio_21610_opts_the_contact_out_and_is_not_retried(client, agent, provider):
    provider.opt_out("+61412345678")

    post_event(client, load_payload("post_call_transcription__inbound"))

    call = Call.objects.get()
    assert call.sms_status == "failed" and "21610" in call.sms_error
    contact = Contact.objects.get(phone="+61412345678")
    assert contact.is_opted_out and contact.opted_out_by == "sms"
    assert followup_sms.due_sms_call_ids() == []


@pytest.mark.parametrize("code", [21211, 21614])
def test_invalid_numbers_are_not_retried(client, agent, provider, code):
    provider.fail_next("POST", MESSAGES, 400, code=code)

    post_event(client, load_payload("post_call_transcription__inbound"))

    call = Call.objects.get()
    assert call.sms_status == "failed" and str(code) in call.sms_error
    assert not Contact.objects.get().is_opted_out


def test_a_call_is_texted_at_most_once_even_when_the_sender_runs_again(client, agent, provider):
    post_event(client, load_payload("post_call_transcription__inbound"))
    call = Call.objects.get()

    with run_after_commit():
        assert followup_sms.send_post_call_sms(call.pk) == "sent"
        Call.objects.filter(pk=call.pk).update(sms_next_attempt_at=None)
        followup_sms.send_post_call_sms(call.pk)

    assert len(provider.requests_to("POST", MESSAGES)) == 1
