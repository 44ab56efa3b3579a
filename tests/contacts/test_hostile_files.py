"""Files that fought back: Excel's scientific notation and quotes left open."""

import io
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from contacts.csv_import import CsvRejected
from contacts.imports import import_contacts_csv
from contacts.models import Contact
from tests.factories import default_agency
from voqo.phones import EXCEL_ROUNDED, excel_number_digits

CORPUS = Path(__file__).parent / "corpus"
pytestmark = pytest.mark.django_db


def corpus(name: str) -> io.BytesIO:
    return io.BytesIO((CORPUS / name).read_bytes())


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("4.12345678E+08", "412345678"),
        ("4.12345678e8", "412345678"),
        ("6.1412345678E+10", "61412345678"),
        ("4.1234567800E+08", "412345678"),
        ("0412 345 678", None),
        ("+61412345678", None),
    ],
)
def test_exact_scientific_notation_gives_its_digits(raw, digits):
    assert excel_number_digits(raw) == digits


@pytest.mark.parametrize("raw", ["6.14123456E+10", "4.1234567E+08", "6E+10", "4,12345E+08"])
def test_scientific_notation_that_lost_digits_is_refused(raw):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=EXCEL_ROUNDED):
        excel_number_digits(raw)


def test_excel_rounded_numbers_are_refused_and_exact_ones_imported():
    report = import_contacts_csv(
        corpus("excel_scientific.csv"), commit=True, agency=default_agency()
    )

    assert report.created == 1
    assert Contact.objects.get().phone == "+61412345678"
    assert Contact.objects.get().name == "Exact"
    assert not Contact.objects.filter(phone="+61412345610").exists()  # never a guessed number
    messages = {p.line_number: p.message for p in report.errors}
    assert messages[2] == (
        "Excel rounded this number — format the column as text (“6.14123456E+10”)."
    )
    assert 4 in messages


def test_the_contact_form_refuses_a_rounded_number_too(staff_client):
    response = staff_client.post(
        reverse("contacts:add"), {"name": "Rounded", "phone": "6.14123456E+10"}
    )
    assert "Excel rounded this number — format the column as text" in response.content.decode()
    staff_client.post(reverse("contacts:add"), {"name": "Exact", "phone": "4.12345678E+08"})
    assert Contact.objects.get().phone == "+61412345678"


def test_an_unclosed_quote_refuses_the_file_naming_the_line_where_it_opened():
    with pytest.raises(CsvRejected) as refusal:
        import_contacts_csv(corpus("unclosed_quote.csv"), commit=False, agency=default_agency())
    assert refusal.value.message == (
        'A quote (") opened on line 3 is never closed, so lines 3–5 would be read as one value. '
        "Close or remove that quote and upload the file again."
    )
    assert not Contact.objects.exists()


def test_a_stray_quote_that_swallows_rows_is_reported_on_its_line():
    report = import_contacts_csv(corpus("stray_quote.csv"), commit=True, agency=default_agency())

    assert set(Contact.objects.values_list("name", flat=True)) == {"Alice", "Eve"}
    assert [(p.line_number, p.message) for p in report.errors] == [
        (
            3,
            'A quote (") opened on line 3 runs to line 5, so the lines in between were read as '
            "one value. Close or remove that quote.",
        )
    ]


def test_an_unclosed_quote_is_explained_after_upload(staff_client):
    with open(CORPUS / "unclosed_quote.csv", "rb") as fileobj:
        response = staff_client.post(reverse("contacts:import"), {"file": fileobj}, follow=True)

    html = unescape(response.content.decode())
    assert 'A quote (") opened on line 3 is never closed' in html
    assert response.redirect_chain[-1][0] == reverse("contacts:import")
    assert not Contact.objects.exists()
