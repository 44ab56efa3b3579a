"""Forgetting a person reaches every app that keeps something about them (outcomes and lead
alerts, consents, SMS conversations, scheduled calls), and an access request shows it."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from compliance.consent import record_consent, withdraw_consent
from compliance.models import Consent
from contacts.opt_out import is_suppressed
from messages.models import SmsTemplate, Thread
from outcomes.models import LeadAlert, Outcome
from scheduling.models import ScheduledCall
from tests.factories import default_agency, make_agent
from tests.retention.test_forget_and_export import PHONE, priya  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(priya):  # noqa: F811
    """Priya's profile, an outcome and lead alert, a consent, two scheduled calls."""
    agency = default_agency()
    priya.profile = {"budget": {"value": 900000, "call_id": "x"}}
    priya.save(update_fields=["profile"])
    call = Call.objects.filter(contact=priya).first()
    Outcome.objects.create(
        agency=agency,
        call=call,
        outcome_type="callback_requested",
        label="Callback requested",
        summary="Priya wants a call about 12 Ocean St",
        extracted_data={"when": "2026-03-14T10:00:00"},
    )
    LeadAlert.objects.create(
        agency=agency, call=call, channel="sms", to="+61400000001", body="Priya: hot lead"
    )
    record_consent(
        contact=priya,
        kind="express",
        method="call",
        obtained_at=timezone.now() - timedelta(days=1),
        obtained_by="Sam Lee",
        evidence_note="Priya said yes to calls about Ocean St",
    )
    SmsTemplate.objects.create(agency=agency, name="Thanks", body="Thanks for calling!")
    agent = make_agent(name="Lisa")
    for status, when in (("pending", 2), ("completed", -2)):
        ScheduledCall.objects.create(
            agency=agency,
            batch=uuid.uuid4(),
            agent=agent,
            contact=priya,
            phone=PHONE,
            scheduled_at=timezone.now() + timedelta(days=when),
            dynamic_variables={"name": "Priya"},
            status=status,
        )
    return priya


def forget(staff_client, contact):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = staff_client.post(
            reverse("retention:forget", args=[contact.pk]), {"confirm": "on"}
        )
    assert response.status_code == 302


def test_the_confirmation_names_what_the_other_apps_erase(staff_client, held):
    html = staff_client.get(reverse("retention:forget", args=[held.pk])).content.decode()

    assert (
        "their calls&#x27; outcomes and lead alerts" in html or "outcomes and lead alerts" in html
    )
    assert "SMS conversation" in html and "consent records" in html
    assert "calls not yet placed are cancelled" in html


def test_forgetting_erases_outcome_words_and_alert_bodies_but_keeps_the_outcome_type(
    staff_client, held
):
    forget(staff_client, held)

    outcome = Outcome.objects.get()
    assert outcome.outcome_type == "callback_requested"
    assert outcome.summary == "" and outcome.extracted_data == {}
    assert LeadAlert.objects.get().body == ""


def test_forgetting_cancels_pending_scheduled_calls_and_blanks_their_number(staff_client, held):
    forget(staff_client, held)

    rows = {row.status: row for row in ScheduledCall.objects.all()}
    assert set(rows) == {"cancelled", "completed"}
    assert rows["cancelled"].failure_reason == "Cancelled: the person was forgotten."
    for row in rows.values():
        assert row.phone == "" and row.contact_id is None and row.dynamic_variables == {}


def test_forgetting_removes_their_sms_conversation_and_keeps_templates(staff_client, held):
    assert Thread.objects.filter(phone=PHONE).exists()

    forget(staff_client, held)

    assert not Thread.objects.exists()
    assert SmsTemplate.objects.count() == 1


def test_forgetting_drops_consents_with_their_evidence(staff_client, held):
    forget(staff_client, held)

    assert not Consent.objects.exists()
    assert not is_suppressed(PHONE, agency=default_agency())


def test_a_withdrawn_consent_outlives_forgetting_as_an_opt_out(staff_client, held):
    withdraw_consent(contact=held, by="Said so on a call", opt_out=False)
    assert not is_suppressed(PHONE, agency=default_agency())

    forget(staff_client, held)

    assert not Consent.objects.exists()
    assert is_suppressed(PHONE, agency=default_agency())


def test_the_access_export_has_each_apps_section(staff_client, held):
    response = staff_client.get(reverse("retention:access_export", args=[held.pk]))

    export = json.loads(response.content)
    assert export["profile"] == {"budget": {"value": 900000, "call_id": "x"}}
    assert export["call_outcomes"][0]["summary"] == "Priya wants a call about 12 Ocean St"
    assert export["lead_alerts"][0]["body"] == "Priya: hot lead"
    assert export["consents"][0]["evidence_note"] == "Priya said yes to calls about Ocean St"
    assert {row["status"] for row in export["scheduled_calls"]} == {"pending", "completed"}
    assert export["scheduled_calls"][0]["phone"] == PHONE
