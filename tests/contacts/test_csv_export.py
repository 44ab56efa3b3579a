"""CSV export: safe to open in a spreadsheet, and imports back unchanged."""

import io

import pytest
from django.urls import reverse

from contacts.csv_import import escape_cell, iter_csv_rows, strip_export_prefix
from contacts.imports import import_contacts_csv
from contacts.models import Contact
from tests.factories import default_agency, make_contact, update_agency


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+SUM(1)", "'+SUM(1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("\0nul", "'\0nul"),
        ("+61412345678", "+61412345678"),
        ("+1 650 253 0000", "'+1 650 253 0000"),
        ("Priya", "Priya"),
        ("", ""),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_prefixed(value, escaped):
    assert escape_cell(value) == escaped
    if value:
        assert strip_export_prefix(escaped) == value


def export(client) -> bytes:
    response = client.get(reverse("contacts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_export_escapes_formulas_and_keeps_phones(staff_client):
    make_contact(
        name='=HYPERLINK("http://x")', phone="+61412345678", notes="-5", tags=["@vip", "buyer"]
    )
    body = export(staff_client).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0] == (
        "name,phone,email,notes,tags,state,opted_out_at,opted_out_by,last_call_at,created_at"
    )
    assert lines[1].startswith('"\'=HYPERLINK(""http://x"")",+61412345678,,\'-5,"\'@vip, buyer",')


@pytest.mark.django_db
def test_an_export_imports_back_unchanged(staff_client):
    originals = [
        {
            "name": "=cmd|' /C calc'!A0",
            "phone": "+61412000001",
            "notes": "+plus\nsecond line, comma",
            "tags": ["@a", "b"],
        },
        {"name": "Zoë O'Brien", "phone": "+61298765432", "notes": '"quoted"', "tags": []},
        {"name": "-minus", "phone": "+61412000003", "notes": "", "tags": ["-x"]},
        {"name": "", "phone": "+61412000004", "notes": "@home", "tags": ["vip"]},
    ]
    for fields in originals:
        make_contact(**fields)
    body = export(staff_client)
    Contact.objects.all().delete()

    report = import_contacts_csv(io.BytesIO(body), commit=True, agency=default_agency())

    assert report.created == len(originals) and report.invalid_rows == 0
    got = {
        c.phone: {"name": c.name, "phone": c.phone, "notes": c.notes, "tags": c.tags}
        for c in Contact.objects.all()
    }
    assert got == {o["phone"]: o for o in originals}


@pytest.mark.django_db
def test_export_streams_every_contact(staff_client):
    for _ in range(5):
        make_contact()
    rows = list(iter_csv_rows(io.BytesIO(export(staff_client))))
    assert len(rows) == 5
    assert [row.line_number for row in rows] == [2, 3, 4, 5, 6]


@pytest.mark.django_db
def test_export_times_are_in_the_agencys_zone_with_the_offset(staff_client):
    from datetime import UTC, datetime

    update_agency(time_zone="Australia/Perth")
    make_contact(name="Priya", opted_out_at=datetime(2026, 3, 11, 2, 30, tzinfo=UTC))

    header, row = export(staff_client).decode("utf-8-sig").splitlines()[:2]

    opted_out_at = row.split(",")[header.split(",").index("opted_out_at")]
    assert opted_out_at == "2026-03-11T10:30:00+08:00"
