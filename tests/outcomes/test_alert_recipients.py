"""Lead alerts to the contact's owner and the listing's agent: found on each call, texted on
their own mobile, under the rule's quiet hours, once per call, never to a member who opted
out of SMS alerts; an alert with nobody to go to is recorded as not sent, with the reason."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Membership
from calls.models import Call, WebhookEvent
from listings.models import Listing, ListingMention
from outcomes.models import LeadAlert, LeadAlertRule
from tests.calls.conftest import post_event
from tests.factories import default_agency, make_contact, make_staff_user
from tests.outcomes.conftest import analysed_call
from voqo.models import Setting

pytestmark = pytest.mark.django_db
SMS_PATH = "/2010-04-01/Accounts/"
CALLER = "+61412345678"
OWNER_MOBILE = "+61499111222"
AGENT_MOBILE = "+61411222333"
SYDNEY = ZoneInfo("Australia/Sydney")
INSPECTION = {
    "outcome": "inspection_booked",
    "inspection_booked__listing": "12 Ocean Street, Bondi",
    "inspection_booked__time": "2026-03-14T10:00",
}
ENQUIRY = {"outcome": "buyer_enquiry", "buyer_enquiry__suburbs": "Bondi"}


@pytest.fixture(autouse=True)
def no_follow_up_sms(db):
    Setting.set_value("sms_enabled", False, default_agency())


def make_rule(recipient, **fields) -> LeadAlertRule:
    defaults = {
        "agency": default_agency(),
        "name": "Hot leads",
        "trigger": LeadAlertRule.Trigger.OUTCOMES,
        "outcomes": ["inspection_booked", "buyer_enquiry"],
        "recipient": recipient,
        "by_sms": True,
        "by_email": True,
    }
    return LeadAlertRule.objects.create(**{**defaults, **fields})


def make_member(username="sam", *, phone=OWNER_MOBILE, email="sam@harbour.example", **fields):
    user = make_staff_user(username=username, role=Membership.Role.STAFF)
    user.email = email
    user.save(update_fields=["email"])
    Membership.objects.filter(user=user).update(alert_phone=phone, **fields)
    return user


def make_listing(**fields) -> Listing:
    defaults = {
        "agency": default_agency(),
        "unique_id": "L-1",
        "street_address": "12 Ocean Street",
        "suburb": "Bondi",
        "state": "NSW",
        "agent_name": "Jo Agent",
        "agent_phone": "0411 222 333",
        "agent_email": "jo@harbour.example",
    }
    return Listing.objects.create(**{**defaults, **fields})


def texts_to(provider, phone) -> list[dict]:
    return [r.form for r in provider.requests_to("POST", SMS_PATH) if r.form.get("To") == phone]


def test_the_contacts_owner_is_texted_and_emailed_on_their_own_mobile(client, agent, provider):
    make_contact(name="Priya", phone=CALLER, owner=make_member())
    make_rule(LeadAlertRule.Recipient.CONTACT_OWNER)

    post_event(client, analysed_call(ENQUIRY))

    [sms] = texts_to(provider, OWNER_MOBILE)
    assert sms["Body"].startswith("Buyer enquiry: Priya 0412 345 678")
    assert [m.to for m in mail.outbox] == [["sam@harbour.example"]]
    assert set(LeadAlert.objects.values_list("recipient", "status")) == {
        ("Contact's owner sam", "sent")
    }


def test_a_contact_without_an_owner_records_the_alert_as_not_sent_with_why(
    client, staff_client, agent, provider
):
    make_contact(name="Priya", phone=CALLER)
    make_rule(LeadAlertRule.Recipient.CONTACT_OWNER)

    post_event(client, analysed_call(ENQUIRY))

    assert provider.requests_to("POST", SMS_PATH) == [] and mail.outbox == []
    alerts = LeadAlert.objects.all()
    assert {(a.status, a.to, a.error) for a in alerts} == {("skipped", "", "Priya has no owner.")}
    html = staff_client.get(f"/calls/{Call.objects.get().pk}/").content.decode()
    assert html.count('data-testid="lead-alert"') == 2 and "Priya has no owner." in html


def test_an_owner_who_left_the_agency_is_not_alerted(client, agent, provider):
    owner = make_member()
    make_contact(name="Priya", phone=CALLER, owner=owner)
    Membership.objects.filter(user=owner).delete()
    make_rule(LeadAlertRule.Recipient.CONTACT_OWNER, by_email=False)

    post_event(client, analysed_call(ENQUIRY))

    assert texts_to(provider, OWNER_MOBILE) == []
    assert LeadAlert.objects.get().error == "sam is no longer a member."


def test_an_owner_without_a_mobile_gets_the_email_and_the_sms_says_why_not(client, agent, provider):
    make_contact(name="Priya", phone=CALLER, owner=make_member(phone=""))
    make_rule(LeadAlertRule.Recipient.CONTACT_OWNER)

    post_event(client, analysed_call(ENQUIRY))

    sms = LeadAlert.objects.get(channel="sms")
    assert sms.status == "skipped"
    assert sms.error == "Contact's owner sam has no mobile number for alerts."
    assert LeadAlert.objects.get(channel="email").status == "sent" and len(mail.outbox) == 1


def test_an_owner_who_opted_out_of_sms_alerts_is_never_texted(client, agent, provider):
    owner = make_member(sms_alerts_opted_out_at=timezone.now())
    make_contact(name="Priya", phone=CALLER, owner=owner)
    make_rule(LeadAlertRule.Recipient.CONTACT_OWNER)

    post_event(client, analysed_call(ENQUIRY))

    assert texts_to(provider, OWNER_MOBILE) == []
    sms = LeadAlert.objects.get(channel="sms")
    assert sms.status == "skipped" and "opted out of SMS alerts" in sms.error
    assert len(mail.outbox) == 1


def test_a_members_opted_out_number_is_never_texted_even_as_an_on_call_number(
    client, agent, provider
):
    make_member(sms_alerts_opted_out_at=timezone.now())
    make_rule(LeadAlertRule.Recipient.ON_CALL, phone=OWNER_MOBILE, by_email=False)

    post_event(client, analysed_call(ENQUIRY))

    assert texts_to(provider, OWNER_MOBILE) == []
    alert = LeadAlert.objects.get()
    assert alert.status == "skipped"
    assert alert.error == "A member with this number has opted out of SMS alerts."


def test_the_listing_named_in_the_outcome_alerts_its_agent(client, agent, provider):
    make_listing()
    make_listing(unique_id="L-2", street_address="12 Ocean Street", suburb="Coogee")
    make_rule(LeadAlertRule.Recipient.LISTING_AGENT)

    post_event(client, analysed_call(INSPECTION))

    [sms] = texts_to(provider, AGENT_MOBILE)
    assert "Listing: 12 Ocean Street, Bondi" in sms["Body"]
    assert [m.to for m in mail.outbox] == [["jo@harbour.example"]]
    assert LeadAlert.objects.first().recipient == (
        "Listing's agent Jo Agent (12 Ocean Street, Bondi NSW)"
    )


def test_the_one_listing_the_calls_searches_named_alerts_its_agent(client, agent, provider):
    listing = make_listing()
    ListingMention.objects.create(
        agency=default_agency(), listing=listing, conversation_id="conv_0101k3example"
    )
    make_rule(LeadAlertRule.Recipient.LISTING_AGENT, by_email=False)

    post_event(client, analysed_call(ENQUIRY))

    assert len(texts_to(provider, AGENT_MOBILE)) == 1


def test_a_listing_agent_who_is_a_member_gets_their_alert_mobile_and_their_opt_out_holds(
    client, agent, provider
):
    make_member("jo", phone="+61499000111", email="jo@harbour.example")
    make_listing()
    make_rule(LeadAlertRule.Recipient.LISTING_AGENT, by_email=False)
    post_event(client, analysed_call(INSPECTION))
    assert len(texts_to(provider, "+61499000111")) == 1

    Membership.objects.filter(user__username="jo").update(sms_alerts_opted_out_at=timezone.now())
    LeadAlert.objects.all().delete()
    WebhookEvent.objects.all().delete()
    post_event(client, analysed_call(INSPECTION))

    assert len(texts_to(provider, "+61499000111")) == 1
    assert texts_to(provider, AGENT_MOBILE) == []
    assert LeadAlert.objects.get().status == "skipped"


def test_a_call_about_no_listing_records_why_the_agent_was_not_alerted(client, agent, provider):
    make_rule(LeadAlertRule.Recipient.LISTING_AGENT)

    post_event(client, analysed_call(INSPECTION))

    assert provider.requests_to("POST", SMS_PATH) == [] and mail.outbox == []
    assert set(LeadAlert.objects.values_list("status", "error")) == {
        ("skipped", "No listing matches “12 Ocean Street, Bondi”.")
    }


def test_two_listings_at_the_address_are_not_guessed_between(client, agent, provider):
    make_listing()
    make_listing(unique_id="L-2", suburb="Bondi", agent_phone="0411 999 888")
    make_rule(LeadAlertRule.Recipient.LISTING_AGENT, by_email=False)

    post_event(client, analysed_call(INSPECTION))

    assert provider.requests_to("POST", SMS_PATH) == []
    assert LeadAlert.objects.get().error == "2 listings match “12 Ocean Street, Bondi”."


def test_new_recipients_are_alerted_once_per_call_under_redelivery(client, agent, provider):
    make_contact(name="Priya", phone=CALLER, owner=make_member())
    make_listing()
    make_rule(LeadAlertRule.Recipient.CONTACT_OWNER, name="Owner")
    make_rule(LeadAlertRule.Recipient.LISTING_AGENT, name="Agent")
    payload = analysed_call(INSPECTION)
    post_event(client, payload)
    WebhookEvent.objects.all().delete()

    post_event(client, payload)
    call_command("send_lead_alerts", stdout=open("/dev/null", "w"))

    assert len(texts_to(provider, OWNER_MOBILE)) == 1
    assert len(texts_to(provider, AGENT_MOBILE)) == 1
    assert len(mail.outbox) == 2
    assert LeadAlert.objects.count() == 4


def test_the_owners_alert_waits_for_the_rules_quiet_hours(client, agent, provider):
    make_contact(name="Priya", phone=CALLER, owner=make_member())
    make_rule(
        LeadAlertRule.Recipient.CONTACT_OWNER,
        by_email=False,
        quiet_from=time(21, 0),
        quiet_until=time(7, 0),
    )

    with time_machine.travel(datetime(2026, 3, 11, 22, 30, tzinfo=SYDNEY), tick=False):
        post_event(client, analysed_call(ENQUIRY))
    assert texts_to(provider, OWNER_MOBILE) == []
    assert LeadAlert.objects.get().next_attempt_at == datetime(2026, 3, 12, 7, 0, tzinfo=SYDNEY)

    with time_machine.travel(datetime(2026, 3, 12, 7, 1, tzinfo=SYDNEY), tick=False):
        call_command("send_lead_alerts", stdout=open("/dev/null", "w"))

    assert len(texts_to(provider, OWNER_MOBILE)) == 1


def test_a_manager_adds_an_owner_rule_without_typing_a_number(staff_client):
    response = staff_client.post(
        "/lead-alerts/new/",
        {
            "name": "To the owner",
            "enabled": "on",
            "trigger": "any",
            "recipient": "contact_owner",
            "phone": "0499 888 777",
            "by_sms": "on",
            "by_email": "on",
        },
    )

    assert response.status_code == 302
    rule = LeadAlertRule.objects.get()
    assert rule.recipient == "contact_owner" and rule.phone == "" and rule.email == ""
    page = staff_client.get("/lead-alerts/").content.decode()
    assert "The contact&#x27;s owner" in page


def test_a_staff_rule_may_use_the_members_own_mobile(staff_client):
    member = make_member()

    response = staff_client.post(
        "/lead-alerts/new/",
        {
            "name": "Sam",
            "enabled": "on",
            "trigger": "any",
            "recipient": "staff",
            "staff_member": member.pk,
            "by_sms": "on",
        },
    )

    assert response.status_code == 302
