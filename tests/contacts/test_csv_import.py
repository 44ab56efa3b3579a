"""Importing contacts from CSV: the corpus under corpus/ holds the files staff really send."""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from contacts.csv_import import CsvRejected, iter_csv_rows, read_csv, sniff_encoding
from contacts.imports import import_contacts_csv
from contacts.models import Contact
from tests.factories import default_agency, make_contact

CORPUS = Path(__file__).parent / "corpus"
pytestmark = pytest.mark.django_db


def corpus(name: str) -> io.BytesIO:
    return io.BytesIO((CORPUS / name).read_bytes())


def run_import(name: str):
    return import_contacts_csv(corpus(name), commit=True, agency=default_agency())


def upload(client, name: str):
    with open(CORPUS / name, "rb") as fileobj:
        return client.post(reverse("contacts:import"), {"file": fileobj})


def test_utf8_with_bom_and_header_case_and_spaces_are_understood():
    report = run_import("utf8_bom.csv")
    assert report.encoding == "utf-8-sig"
    assert report.created == 2
    priya = Contact.objects.get(phone="+61412345678")
    assert priya.name == "Priya Sharma"
    assert priya.notes == "Wants a garden"
    assert priya.tags == ["buyer", "vip"]
    assert Contact.objects.get(phone="+61413111222").name == "Åsa Lind"


def test_excel_cp1252_file_keeps_its_accents():
    report = run_import("cp1252_accents.csv")
    assert report.encoding == "cp1252"
    contact = Contact.objects.get(phone="+61412000111")
    assert contact.name == "René Dupont"
    assert contact.notes == "Café owner – prefers mornings"


def test_utf16_file_with_bom_is_read():
    report = run_import("utf16_excel.csv")
    assert report.encoding == "utf-16"
    assert Contact.objects.get(phone="+61412000222").name == "Zoë Chen"


def test_bytes_no_known_encoding_can_read_are_refused_with_a_message():
    with pytest.raises(CsvRejected, match="UTF-8"):
        sniff_encoding(corpus("undecodable.csv"))


def test_blank_lines_are_skipped_and_line_numbers_stay_physical():
    report = run_import("blank_lines.csv")
    assert report.created == 2
    assert report.total_rows == 3
    assert [(p.line_number, p.message) for p in report.errors] == [
        (7, "“not a phone” is not a phone number.")
    ]
    assert set(Contact.objects.values_list("name", flat=True)) == {"Alice", "Carol"}


def test_bad_phones_are_reported_by_line_and_good_rows_are_kept():
    report = run_import("bad_phones.csv")
    assert report.created == 2
    assert report.invalid_rows == 3
    assert [p.line_number for p in report.errors] == [3, 4, 5]
    assert report.errors[0].message == "No phone number."
    assert "call me maybe" in report.errors[1].message
    assert Contact.objects.filter(phone__in=["+61412000666", "+61298765432"]).count() == 2


def test_duplicates_in_the_file_and_existing_contacts_are_skipped_and_counted():
    make_contact(name="Already here", phone="+61499999999")
    report = run_import("duplicates.csv")
    assert (report.created, report.duplicate_rows, report.existing_rows) == (2, 1, 1)
    assert Contact.objects.get(phone="+61412000777").name == "First"
    assert Contact.objects.get(phone="+61499999999").name == "Already here"


def test_importing_the_same_file_twice_creates_nothing_new():
    run_import("duplicates.csv")
    again = run_import("duplicates.csv")
    assert again.created == 0
    assert again.existing_rows == 3


def test_quoted_commas_and_newlines_keep_values_and_line_numbers():
    report = run_import("quoted_fields.csv")
    assert report.created == 3
    assert [(p.line_number) for p in report.errors] == [6]
    smith = Contact.objects.get(phone="+61412100001")
    assert smith.name == "Smith, John"
    assert smith.notes == "Line one\nline two, with comma\nline three"
    assert Contact.objects.get(phone="+61412100002").name == 'Quote "Q" Person'
    rows = list(iter_csv_rows(corpus("quoted_fields.csv")))
    assert [row.line_number for row in rows] == [2, 5, 6, 8]


def test_a_mobile_column_is_taken_as_the_phone():
    report = run_import("missing_phone_column.csv")
    assert report.created == 1
    assert Contact.objects.get().phone == "+61412000999"


def test_a_file_without_any_phone_column_is_refused_naming_what_to_do():
    with pytest.raises(CsvRejected) as refusal:
        run_import("no_phone_column.csv")
    assert "Choose the column that holds the phone numbers" in refusal.value.message


def test_a_renamed_xlsx_file_is_refused():
    with pytest.raises(CsvRejected, match="Excel"):
        read_csv(corpus("renamed_xlsx.csv"))


def test_a_file_with_nul_bytes_is_refused():
    with pytest.raises(CsvRejected, match="NUL"):
        read_csv(corpus("nul_byte.csv"))


def test_an_oversize_file_is_refused_before_reading(settings):
    settings.CSV_IMPORT_MAX_BYTES = 4096
    with pytest.raises(CsvRejected, match="limit is 4 KB"):
        read_csv(corpus("oversize.csv"))


def test_an_exported_quote_prefix_is_stripped_but_real_apostrophes_stay():
    run_import("exported_prefix.csv")
    first = Contact.objects.get(phone="+61412300001")
    assert first.name == "=HYPERLINK(x)"
    assert first.notes == "-not a formula"
    assert first.tags == ["@home"]
    assert Contact.objects.get(phone="+61412300002").name == "'Tis Me"


def mapping_data(response, **changes) -> dict:
    """The mapping form as the page shows it (with `changes`), ready to post back."""
    form = response.context["form"]
    data = {field.html_name: field.value() for field in form}
    data.update(changes)
    return data


def test_upload_shows_a_preview_and_saves_nothing_until_confirmed(staff_client):
    response = upload(staff_client, "bad_phones.csv")
    assert response.status_code == 302
    response = staff_client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import preview" in html
    assert "Line 4:" in html and "call me maybe" in html
    assert "Import 2 contacts" in html
    assert Contact.objects.count() == 0

    url = response.wsgi_request.path
    response = staff_client.post(url, {**mapping_data(response), "confirm": ""})
    assert response.status_code == 302
    assert Contact.objects.count() == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Imported 2 new contacts. 3 rows had errors and were skipped."]

    # The stored upload is gone: confirming twice imports nothing twice.
    response = staff_client.post(url, {"confirm": ""})
    assert response.status_code == 302 and response["Location"] == reverse("contacts:import")


def test_cancelling_a_preview_saves_nothing(staff_client):
    url = upload(staff_client, "utf8_bom.csv")["Location"]
    staff_client.post(url, {"cancel": ""})
    assert Contact.objects.count() == 0
    assert staff_client.get(url)["Location"] == reverse("contacts:import")


def test_another_session_cannot_confirm_an_upload(staff_client, client):
    url = upload(staff_client, "utf8_bom.csv")["Location"]
    from tests.factories import make_staff_user

    client.force_login(make_staff_user(username="other"))
    response = client.post(url, {"confirm": ""})
    assert response["Location"] == reverse("contacts:import")
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("renamed_xlsx.csv", "Excel (.xlsx)"),
        ("nul_byte.csv", "NUL bytes"),
        ("undecodable.csv", "could not be read"),
    ],
)
def test_refused_files_show_the_reason_on_the_upload_form(staff_client, name, message):
    response = upload(staff_client, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Contact.objects.count() == 0


def test_an_oversize_upload_states_the_limit(staff_client, settings):
    settings.CSV_IMPORT_MAX_BYTES = 4096
    response = upload(staff_client, "oversize.csv")
    assert "the limit is 4 KB" in response.content.decode()


def test_a_file_over_the_row_limit_is_refused_at_preview(monkeypatch):
    from contacts import imports

    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 2)
    with pytest.raises(CsvRejected, match="more than 2 rows"):
        import_contacts_csv(corpus("bad_phones.csv"), commit=False, agency=default_agency())
    assert Contact.objects.count() == 0
