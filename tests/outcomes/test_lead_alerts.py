"""Lead alerts: a rule picks calls by outcome (or every call, or after hours), and texts or
e-mails someone once per call — whatever redeliveries happen — outside their quiet hours,
never to an opted-out number; failures are retried like the follow-up SMS."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from calls.models import Call, WebhookEvent
from contacts.opt_out import opt_out_number
from outcomes.models import LeadAlert, LeadAlertRule
from tests.calls.conftest import post_event, run_after_commit
from tests.factories import default_agency
from tests.outcomes.conftest import analysed_call
from voqo.models import Setting

pytestmark = pytest.mark.django_db
SMS_PATH = "/2010-04-01/Accounts/"
ON_CALL = "+61499888777"
SYDNEY = ZoneInfo("Australia/Sydney")
APPRAISAL = {
    "outcome": "appraisal_booked",
    "appraisal_booked__address": "9 Wattle Avenue, Marrickville",
    "appraisal_booked__preferred_time": "2026-03-14T10:00",
}


@pytest.fixture(autouse=True)
def no_follow_up_sms(db):
    # Only alerts reach Twilio in these tests.
    Setting.set_value("sms_enabled", False, default_agency())


def make_rule(**fields) -> LeadAlertRule:
    defaults = {
        "agency": default_agency(),
        "name": "Hot leads",
        "trigger": LeadAlertRule.Trigger.OUTCOMES,
        "outcomes": ["appraisal_booked"],
        "recipient": LeadAlertRule.Recipient.ON_CALL,
        "phone": ON_CALL,
        "email": "oncall@harbour.example",
        "by_sms": True,
        "by_email": True,
    }
    return LeadAlertRule.objects.create(**{**defaults, **fields})


def alert_texts(provider) -> list[dict]:
    return [r.form for r in provider.requests_to("POST", SMS_PATH) if r.form.get("To") == ON_CALL]


def test_a_matching_call_texts_and_emails_the_caller_outcome_details_and_link(
    client, agent, provider
):
    make_rule()

    post_event(client, analysed_call(APPRAISAL))

    call = Call.objects.get()
    [sms] = alert_texts(provider)
    assert sms["Body"].startswith("Appraisal booked: Priya 0412 345 678")
    assert "Address: 9 Wattle Avenue, Marrickville" in sms["Body"]
    assert sms["Body"].endswith(f"http://testserver/calls/{call.pk}/")
    [email] = mail.outbox
    assert email.to == ["oncall@harbour.example"]
    assert email.subject == "Appraisal booked: Priya 0412 345 678"
    assert "Priya asked about 12 Ocean Street" in email.body
    assert set(LeadAlert.objects.values_list("status", flat=True)) == {"sent"}


def test_an_alert_goes_out_once_per_call_under_redelivery(client, agent, provider):
    make_rule()
    payload = analysed_call(APPRAISAL)
    post_event(client, payload)
    WebhookEvent.objects.all().delete()  # the same conversation delivered again

    post_event(client, payload)
    call_command("send_lead_alerts", stdout=open("/dev/null", "w"))

    assert len(alert_texts(provider)) == 1
    assert len(mail.outbox) == 1
    assert LeadAlert.objects.count() == 2


def test_other_outcomes_raise_no_alert(client, agent, provider):
    make_rule()

    post_event(client, analysed_call({"outcome": "wrong_number"}))

    assert alert_texts(provider) == [] and mail.outbox == []
    assert not LeadAlert.objects.exists()


def test_an_after_hours_rule_alerts_only_after_hours(client, agent, provider):
    make_rule(trigger=LeadAlertRule.Trigger.AFTER_HOURS, outcomes=[], by_email=False)
    # The payload's call started on a Saturday (22 Nov 2025) in Sydney: after hours.
    post_event(client, analysed_call({"outcome": "wrong_number"}))

    assert len(alert_texts(provider)) == 1


def test_an_opted_out_number_is_never_texted(client, agent, provider):
    make_rule(by_email=False)
    opt_out_number(phone=ON_CALL, by="sms", agency=default_agency())

    post_event(client, analysed_call(APPRAISAL))

    assert alert_texts(provider) == []
    alert = LeadAlert.objects.get()
    assert alert.status == "skipped" and alert.error == "This number has opted out of SMS."


def test_quiet_hours_hold_the_alert_until_they_end(client, agent, provider):
    make_rule(by_email=False, quiet_from=time(21, 0), quiet_until=time(7, 0))

    with time_machine.travel(datetime(2026, 3, 11, 22, 30, tzinfo=SYDNEY), tick=False):
        post_event(client, analysed_call(APPRAISAL))
        call_command("send_lead_alerts", stdout=open("/dev/null", "w"))
    alert = LeadAlert.objects.get()
    assert alert_texts(provider) == []
    assert alert.status == "pending"
    assert alert.next_attempt_at == datetime(2026, 3, 12, 7, 0, tzinfo=SYDNEY)

    with time_machine.travel(datetime(2026, 3, 12, 7, 1, tzinfo=SYDNEY), tick=False):
        call_command("send_lead_alerts", stdout=open("/dev/null", "w"))

    assert len(alert_texts(provider)) == 1
    assert LeadAlert.objects.get().status == "sent"


def test_a_twilio_outage_is_retried_and_then_sent(client, agent, provider):
    make_rule(by_email=False)
    provider.fail_next("POST", SMS_PATH, 503)

    post_event(client, analysed_call(APPRAISAL))

    alert = LeadAlert.objects.get()
    assert alert.status == "pending" and alert.attempts == 1 and alert.next_attempt_at
    with time_machine.travel(alert.next_attempt_at, tick=False):
        with run_after_commit():
            call_command("send_lead_alerts", stdout=open("/dev/null", "w"))
    alert.refresh_from_db()
    assert alert.status == "sent" and alert.attempts == 2


def test_a_number_that_opted_out_at_twilio_is_not_retried(client, agent, provider):
    make_rule(by_email=False)
    provider.fail_next("POST", SMS_PATH, 400, code=21610, message="Unsubscribed recipient")

    post_event(client, analysed_call(APPRAISAL))

    alert = LeadAlert.objects.get()
    assert alert.status == "failed" and "21610" in alert.error


def test_the_call_page_shows_each_alert_with_its_status(client, staff_client, agent):
    make_rule()
    post_event(client, analysed_call(APPRAISAL))
    call = Call.objects.get()

    html = staff_client.get(f"/calls/{call.pk}/").content.decode()

    assert html.count('data-testid="lead-alert"') == 2
    assert ON_CALL in html and "oncall@harbour.example" in html and "Sent" in html


def test_managers_add_a_rule_and_bad_input_gets_clear_errors(staff_client):
    response = staff_client.post(
        "/lead-alerts/new/",
        {"name": "Hot", "trigger": "outcomes", "recipient": "on_call", "by_sms": "on"},
    )
    errors = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one outcome, or alert on every call." in errors
    assert "An SMS alert needs a mobile number." in errors

    response = staff_client.post(
        "/lead-alerts/new/",
        {
            "name": "Hot",
            "enabled": "on",
            "trigger": "outcomes",
            "outcomes": ["appraisal_booked", "seller_lead"],
            "recipient": "on_call",
            "phone": "0499 888 777",
            "by_sms": "on",
            "quiet_from": "21:00",
            "quiet_until": "07:00",
        },
    )
    assert response.status_code == 302
    rule = LeadAlertRule.objects.get()
    assert rule.phone == ON_CALL and rule.outcomes == ["appraisal_booked", "seller_lead"]
