"""Consent records: how, when, by whom, the 3-month lapse, and withdrawal."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance.consent import add_months, record_consent
from compliance.models import Consent
from contacts.opt_out import is_suppressed
from tests.factories import make_agency, make_call, make_contact

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")


def consent_for(contact, **fields):
    values = {
        "kind": "express",
        "method": "form",
        "obtained_at": datetime(2026, 3, 10, 13, 0, tzinfo=SYDNEY),
        "obtained_by": "Sam",
        "evidence_note": "Ticked “call me about appraisals” on the open-home form",
    }
    return record_consent(contact=contact, **{**values, **fields})


def test_consent_with_no_stated_period_lapses_exactly_three_months_later():
    consent = consent_for(make_contact())

    # The agency's wall clock: daylight saving ended in between, the time of day stays.
    assert consent.expires_at == datetime(2026, 6, 10, 13, 0, tzinfo=SYDNEY)
    assert consent.expiry_defaulted
    assert Consent.objects.valid_at(datetime(2026, 6, 10, 12, 59, tzinfo=SYDNEY)).exists()
    assert not Consent.objects.valid_at(datetime(2026, 6, 10, 13, 0, tzinfo=SYDNEY)).exists()


def test_three_months_from_the_end_of_a_long_month_ends_on_the_last_day():
    assert add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)


def test_a_stated_end_is_kept():
    end = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    consent = consent_for(make_contact(), expires_at=end)
    assert consent.expires_at == end and not consent.expiry_defaulted


def test_staff_record_a_consent_on_the_contacts_page_with_a_call_as_evidence(staff_client):
    contact = make_contact(name="Priya")
    call = make_call(contact=contact)

    response = staff_client.post(
        reverse("compliance:contact_consents", args=[contact.id]),
        {
            "kind": "express",
            "method": "call",
            "obtained_at": "2026-03-10T13:00",
            "obtained_by": "Sam Lee",
            "call": call.id,
        },
    )

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.call == call and consent.obtained_by == "Sam Lee"
    page = staff_client.get(response.url).content.decode()
    assert "3 months: no period stated" in page and "The call" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"obtained_by": " "}, "Say who obtained the consent"),
        ({"evidence_note": ""}, "Keep the evidence"),
        ({"obtained_at": "2099-01-01T10:00"}, "cannot have been given in the future"),
        ({"expires_on": "2026-03-01"}, "must end after it was given"),
    ],
)
def test_a_consent_without_what_an_auditor_needs_is_refused(staff_client, changes, message):
    contact = make_contact()
    data = {
        "kind": "express",
        "method": "form",
        "obtained_at": "2026-03-10T13:00",
        "obtained_by": "Sam",
        "evidence_note": "Signed form in the office file",
        **changes,
    }

    response = staff_client.post(reverse("compliance:contact_consents", args=[contact.id]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consent.objects.exists()


def test_a_call_of_another_agency_is_not_offered_as_evidence(staff_client):
    contact = make_contact()
    other_call = make_call(agency=make_agency())

    response = staff_client.post(
        reverse("compliance:contact_consents", args=[contact.id]),
        {
            "kind": "express",
            "method": "call",
            "obtained_at": "2026-03-10T13:00",
            "obtained_by": "Sam",
            "call": other_call.id,
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Consent.objects.exists()


def test_withdrawing_consent_also_opts_the_number_out(staff_client):
    contact = make_contact(phone="+61412555444")
    consent = consent_for(contact, obtained_at=timezone.now() - timedelta(days=1))

    response = staff_client.post(reverse("compliance:consent_withdraw", args=[contact.id]))

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert is_suppressed("+61412555444", agency=contact.agency)


def test_another_agencys_contact_has_no_consent_page(staff_client):
    contact = make_contact(agency=make_agency())
    url = reverse("compliance:contact_consents", args=[contact.id])
    assert staff_client.get(url).status_code == 404
