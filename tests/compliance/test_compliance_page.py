"""The agency's compliance page and the auditor's CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from compliance.consent import record_consent
from compliance.models import DialRefusal
from contacts.opt_out import opt_out_number
from tests.campaigns.helpers import wash_numbers
from tests.factories import (
    default_agency,
    make_agency,
    make_call,
    make_contact,
    make_staff_user,
)

pytestmark = pytest.mark.django_db
# Wednesday 11 March 2026, 2 pm in Sydney.
NOW = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)


@pytest.fixture
def march():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def outbound(**fields):
    return make_call(
        direction="outbound", to_phone="+61292000000", purpose="telemarketing", **fields
    )


def test_the_page_shows_the_months_calls_outside_windows_refusals_washes_consents_and_opt_outs(
    staff_client, march
):
    agency = default_agency()
    outbound()  # 2 pm on a Wednesday: within hours
    late = outbound()
    type(late).objects.filter(pk=late.pk).update(created_at=NOW + timedelta(hours=8))  # 10 pm
    DialRefusal.objects.create(
        agency=agency,
        phone="+61400000009",
        code="stale_wash",
        reason="Last washed 1 Jan 2026, more than 30 days ago: wash it again.",
        refused_at=NOW,
    )
    wash_numbers(["+61400000001"], agency=agency, checked_at=NOW - timedelta(days=40))
    record_consent(
        contact=make_contact(name="Priya"),
        kind="express",
        method="form",
        obtained_at=NOW - timedelta(days=85),
        obtained_by="Sam",
        evidence_note="Open-home form",
    )
    opt_out_number(phone="+61400000007", by="asked on a call", agency=agency)
    other = make_agency()
    opt_out_number(phone="+61400000008", by="another agency's", agency=other)

    page = staff_client.get(reverse("compliance:page")).content.decode()

    assert 'data-testid="outside-window">1<' in page
    assert 'data-testid="refused-total">1<' in page
    assert "1 × Wash older than 30 days" in page
    assert 'data-testid="stale-washes">1<' in page
    assert 'data-testid="lapsing-consents">1<' in page and "Priya" in page
    assert 'data-testid="opt-outs">1<' in page and "asked on a call" in page
    assert "another agency's" not in page


def test_an_empty_month_shows_empty_states(staff_client, march):
    page = staff_client.get(reverse("compliance:page")).content.decode()
    assert "No dials refused this month" in page and "None this month" in page


def test_the_auditor_export_lists_every_record_with_local_times(staff_client, march):
    agency = default_agency()
    wash_numbers(["+61400000001"], agency=agency, registered={"+61400000001"})
    record_consent(
        contact=make_contact(phone="+61400000001"),
        kind="express",
        method="call",
        obtained_at=NOW - timedelta(days=1),
        obtained_by="Sam",
        evidence_note="Said yes",
    )
    opt_out_number(phone="+61400000007", by="STOP reply", agency=agency)

    response = staff_client.get(reverse("compliance:export"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["record", "phone", "when", "what", "detail"]
    kinds = {row[0]: row for row in rows[1:]}
    assert kinds["wash"][:4] == ["wash", "+61400000001", "2026-03-11T14:00:00+11:00", "registered"]
    assert kinds["consent"][3] == "express"
    assert kinds["consent"][4].startswith("On a call; by Sam; until 2026-06-10T14:00:00+10:00")
    assert kinds["opt-out"][1] == "+61400000007"


def test_a_read_only_member_sees_the_page_but_cannot_import(client, march):
    client.force_login(make_staff_user("reader", role="read_only"))
    assert client.get(reverse("compliance:page")).status_code == 200
    assert client.get(reverse("compliance:wash_import")).status_code == 403
