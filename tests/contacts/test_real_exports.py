"""Real contact exports map themselves: Google Contacts, Outlook, a CRM, other separators."""

import io
from pathlib import Path

import pytest

from contacts.csv_import import read_csv
from contacts.csv_mapping import KIND_CAMPAIGN, KIND_CONTACTS, guess_roles
from contacts.imports import import_contacts_csv
from contacts.models import Contact
from tests.factories import default_agency

CORPUS = Path(__file__).parent / "corpus"
pytestmark = pytest.mark.django_db


def corpus(name: str) -> io.BytesIO:
    return io.BytesIO((CORPUS / name).read_bytes())


def guessed(name: str, kind=KIND_CONTACTS) -> dict[str, str]:
    table = read_csv(corpus(name))
    roles = guess_roles(table.original_headers, kind=kind)
    return {h: r for h, r in zip(table.original_headers, roles, strict=True) if r != "ignore"}


def test_google_contacts_columns_are_recognised():
    assert guessed("google_contacts.csv") == {
        "Name": "name",
        "Given Name": "given_name",
        "Family Name": "family_name",
        "Notes": "notes",
        "Group Membership": "tags",
        "E-mail 1 - Value": "email",
        "Phone 1 - Value": "phone_1",
        "Phone 2 - Value": "phone_2",
    }


def test_a_google_export_imports_with_the_mobile_preferred_and_other_numbers_kept():
    report = import_contacts_csv(
        corpus("google_contacts.csv"), commit=True, agency=default_agency()
    )

    assert (report.created, report.invalid_rows) == (3, 0)
    priya = Contact.objects.get(name="Priya Sharma")
    assert priya.phone == "+61412345678"  # the mobile in Phone 2 wins over the home number
    assert priya.email == "priya@example.com"
    assert priya.tags == ["Buyers"]  # Google's "* myContacts" system group is dropped
    assert priya.notes == "Met at the Bondi open home\nOther phone (Phone 1 - Value): +61298765432"
    liam = Contact.objects.get(phone="+61413000111")
    assert liam.name == "Liam Nguyen"  # composed from first and last name
    olivia = Contact.objects.get(name="Olivia Brown")
    assert olivia.phone == "+61292000000"
    assert olivia.email == "olivia@example.com"  # the first of several addresses
    assert olivia.tags == ["Sellers", "VIP"]


def test_outlook_columns_rank_the_mobile_first():
    assert guessed("outlook_contacts.csv") == {
        "First Name": "given_name",
        "Last Name": "family_name",
        "Mobile Phone": "phone_1",
        "Business Phone": "phone_2",
        "Business Phone 2": "phone_3",
        "Home Phone": "phone_4",
        "E-mail Address": "email",
        "Notes": "notes",
        "Categories": "tags",
    }


def test_an_outlook_export_in_windows_encoding_imports():
    report = import_contacts_csv(
        corpus("outlook_contacts.csv"), commit=True, agency=default_agency()
    )

    assert report.created == 2
    rene = Contact.objects.get(phone="+61412000111")
    assert (rene.name, rene.email, rene.tags) == ("René Dupont", "rene@example.com", ["Buyers"])
    assert "Other phone (Business Phone): +61291234567" in rene.notes
    assert Contact.objects.get(name="Zoë Chen").phone == "+61395551234"


def test_a_semicolon_separated_crm_export_with_states_imports_and_reports_a_bad_state():
    report = import_contacts_csv(corpus("crm_semicolon.csv"), commit=True, agency=default_agency())

    assert report.delimiter == "semicolon"
    assert report.created == 2
    ana = Contact.objects.get(phone="+61413222333")
    assert (ana.name, ana.email, ana.state) == ("Ana Silva", "ana@example.com", "VIC")
    assert ana.notes == "Wants a 3-bedroom, near schools"
    assert Contact.objects.get(phone="+61413222444").state == "WA"  # the full name is read
    assert [(p.line_number, p.message) for p in report.errors] == [
        (
            4,
            "“Sydney” is not an Australian state: use NSW, VIC, QLD, SA, WA, TAS, NT or ACT, "
            "or leave it empty.",
        )
    ]


def test_a_tab_separated_file_keeps_commas_inside_values():
    report = import_contacts_csv(corpus("tab_separated.csv"), commit=True, agency=default_agency())
    assert report.delimiter == "tab"
    assert Contact.objects.get(phone="+61414111222").notes == "Tab, separated, notes"


def test_a_campaign_upload_maps_unknown_columns_to_variables():
    assert guessed("crm_semicolon.csv", kind=KIND_CAMPAIGN) == {
        "Full name": "name",
        "Mobile": "phone_1",
        "Email": "variable",
        "State": "state",
        "Comments": "variable",
    }


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Contact Number", "phone_1"),
        ("Mob", "phone_1"),
        ("Ph", "phone_1"),
        ("Number", "phone_1"),
        ("Number of bedrooms", "variable"),
        ("Phone 1 - Type", "variable"),
        ("Fax", "variable"),
        ("Email", "variable"),
    ],
)
def test_only_phone_like_headers_are_taken_for_phone_numbers(header, role):
    assert guess_roles([header], kind=KIND_CAMPAIGN) == [role]
