"""Opt-outs survive an export and re-import, and an import never clears one."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contacts.imports import import_contacts_csv
from contacts.models import Contact
from tests.contacts.test_csv_import import mapping_data
from tests.factories import default_agency, make_contact

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")


def export(client) -> bytes:
    return b"".join(client.get(reverse("contacts:export")).streaming_content)


def import_through_the_pages(client, body: bytes):
    upload = io.BytesIO(body)
    upload.name = "contacts.csv"
    response = client.get(client.post(reverse("contacts:import"), {"file": upload})["Location"])
    return client.post(response.wsgi_request.path, {**mapping_data(response), "confirm": ""})


def test_export_then_import_into_an_empty_install_keeps_every_opt_out(staff_client):
    stopped_at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=SYDNEY)
    make_contact(
        name="Stopped",
        phone="+61412000001",
        email="stop@example.com",
        state="QLD",
        opted_out_at=stopped_at,
        opted_out_by="SMS STOP",
    )
    make_contact(name="Happy", phone="+61412000002")
    body = export(staff_client)
    assert b"SMS STOP" in body
    Contact.objects.all().delete()

    response = import_through_the_pages(staff_client, body)

    assert response.status_code == 302
    stopped = Contact.objects.get(phone="+61412000001")
    assert stopped.opted_out_at == stopped_at
    assert stopped.opted_out_by == "SMS STOP"
    assert (stopped.email, stopped.state) == ("stop@example.com", "QLD")
    assert Contact.objects.get(phone="+61412000002").opted_out_at is None


def test_an_import_never_clears_an_existing_opt_out():
    stopped_at = datetime(2026, 3, 1, 9, 30, tzinfo=SYDNEY)
    make_contact(phone="+61412000001", opted_out_at=stopped_at, opted_out_by="staff")
    make_contact(phone="+61412000002", opted_out_at=stopped_at, opted_out_by="SMS STOP")
    body = (
        b"name,phone,opted_out_at,opted_out_by\n"
        b"Stopped,0412 000 001,,\n"
        b"Again,0412 000 002,2026-05-01T10:00:00+10:00,import\n"
    )

    report = import_contacts_csv(io.BytesIO(body), commit=True, agency=default_agency())

    assert (report.existing_rows, report.opt_outs_added) == (2, 0)
    first, second = Contact.objects.order_by("phone")
    assert (first.opted_out_at, first.opted_out_by) == (stopped_at, "staff")
    assert (second.opted_out_at, second.opted_out_by) == (stopped_at, "SMS STOP")


def test_an_opt_out_in_the_file_reaches_an_existing_contact(staff_client):
    make_contact(name="Known", phone="+61412000001")
    body = b"name,phone,opted out\nKnown,0412 000 001,yes\n"

    upload = io.BytesIO(body)
    upload.name = "stops.csv"
    page = staff_client.get(
        staff_client.post(reverse("contacts:import"), {"file": upload})["Location"]
    )
    assert "1 existing contact will be opted out" in page.content.decode()
    assert Contact.objects.get().opted_out_at is None  # the preview changes nothing

    response = staff_client.post(page.wsgi_request.path, {**mapping_data(page), "confirm": ""})

    contact = Contact.objects.get()
    assert contact.opted_out_at is not None and contact.opted_out_by == "CSV import"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "1 existing contacts are now opted out." in messages[0]


def test_opt_out_dates_as_a_spreadsheet_shows_them_are_the_agency_local_time():
    body = b"name,phone,opted_out_at\nA,0412 000 001,1/3/2026 09:30\nB,0412 000 002,2026-03-02\n"

    import_contacts_csv(io.BytesIO(body), commit=True, agency=default_agency())

    a = Contact.objects.get(name="A")
    assert a.opted_out_at == datetime(2026, 3, 1, 9, 30, tzinfo=SYDNEY)
    assert Contact.objects.get(name="B").opted_out_at == datetime(2026, 3, 2, tzinfo=SYDNEY)


def test_an_unreadable_opt_out_value_is_a_row_error_not_a_silent_opt_in():
    body = b"name,phone,opted_out_at\nA,0412 000 001,maybe later\n"

    report = import_contacts_csv(io.BytesIO(body), commit=True, agency=default_agency())

    assert report.created == 0
    assert "“maybe later” in the opted-out column is neither a date nor yes/no" in (
        report.errors[0].message
    )
