"""Uploading a campaign CSV: preview first, then import (PRODUCT.md §9)."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from campaigns import csv_upload
from campaigns.models import BatchContact, Campaign, Upload
from tests.factories import default_agency, make_agency, make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return Campaign.objects.create(agency=default_agency(), name="Spring open homes")


def upload(client, campaign, content: bytes, name: str = "list.csv"):
    return client.post(
        reverse("campaigns:upload", args=[campaign.id]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def form_data(preview_response, **changes) -> dict:
    """Every field of the preview page's form as shown (token, filename, column mapping)."""
    html = preview_response.content.decode()
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    for name, select in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        data[name] = re.search(r'<option value="([^"]+)" selected>', select).group(1)
    data.update(changes)
    return data


def confirm(client, campaign, preview_response, **changes):
    return client.post(
        reverse("campaigns:upload_confirm", args=[campaign.id]),
        {**form_data(preview_response, **changes), "import": ""},
    )


def test_preview_shows_counts_first_rows_and_problems_with_line_numbers(staff_client, campaign):
    content = (
        b"Name,Phone,Suburb\n"
        b"Priya,0412 345 678,Bondi\n"
        b"\n"
        b"Liam,not a number,Manly\n"
        b"Olivia,+61 412 345 678,Coogee\n"
        b"Noah,1300 123 456,Newtown\n"
        b"Mei,(02) 9200 0000,Mosman\n"
    )

    response = upload(staff_client, campaign, content)

    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.total_rows, summary.valid_rows) == (5, 2)
    assert (summary.invalid_rows, summary.duplicate_rows) == (2, 1)
    assert [(p.line, p.duplicate) for p in summary.problems] == [(4, False), (5, True), (6, False)]
    assert "Duplicate of line 2" in summary.problems[1].message
    assert "mobile or landline" in summary.problems[2].message
    html = response.content.decode()
    assert "0412 345 678" in html and "Bondi" in html and "Line" in html
    assert Upload.objects.count() == 0  # nothing is imported before confirming


def test_confirming_imports_good_rows_with_variables_and_reports_the_rest(staff_client, campaign):
    content = (
        "\ufeffphone_number, First Name ,Property Address,2nd choice\n"
        "0412 345 678,Priya,12 Ocean St,Manly\n"
        "0412345678,Priya again,,\n"
        "bad,Liam,,\n"
    ).encode("utf-8")
    preview = upload(staff_client, campaign, content)

    response = confirm(staff_client, campaign, preview)

    upload_row = Upload.objects.get()
    assert response.status_code == 302
    assert (upload_row.total_rows, upload_row.invalid_rows, upload_row.duplicate_rows) == (3, 1, 1)
    assert [error["line"] for error in upload_row.errors] == [3, 4]
    contact = BatchContact.objects.get()
    assert contact.phone == "+61412345678" and contact.line_number == 2
    assert contact.name == "Priya"  # "First Name" is mapped as the first name
    assert contact.variables == {"property_address": "12 Ocean St", "v_2nd_choice": "Manly"}
    assert upload_row.variable_keys == ["property_address", "v_2nd_choice"]
    assert contact.region == "AU"
    page = staff_client.get(response["Location"]).content.decode()
    assert "Duplicate of line 2" in page


def test_excel_cp1252_file_is_read(staff_client, campaign):
    content = "name,phone\nZoë Müller,0412 345 678\n".encode("cp1252")
    preview = upload(staff_client, campaign, content)
    assert preview.context["summary"].preview[0].name == "Zoë Müller"
    confirm(staff_client, campaign, preview)
    assert BatchContact.objects.get().name == "Zoë Müller"


def test_a_file_without_a_phone_column_asks_which_column_holds_the_numbers(staff_client, campaign):
    response = upload(staff_client, campaign, b"name,email\nPriya,priya@example.com\n")
    assert response.status_code == 200
    assert "Choose the column that holds the phone numbers" in response.content.decode()
    assert response.context["summary"] is None
    response = confirm(staff_client, campaign, response)
    assert "Choose the column that holds the phone numbers" in response.content.decode()
    assert Upload.objects.count() == 0


def test_renamed_spreadsheet_is_refused_and_not_kept(staff_client, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = upload(staff_client, campaign, b"PK\x03\x04" + b"\x00" * 100)
    assert "Excel" in response.content.decode()
    assert not list((tmp_path / "uploads").glob("*.csv"))


def test_oversize_file_is_refused_before_reading(staff_client, campaign, monkeypatch):
    monkeypatch.setattr(csv_upload, "MAX_UPLOAD_BYTES", 50)
    monkeypatch.setattr("campaigns.services.MAX_UPLOAD_BYTES", 50)
    response = upload(staff_client, campaign, b"phone\n" + b"0412345678\n" * 10)
    assert "the limit is" in response.content.decode()
    assert Upload.objects.count() == 0


def test_too_many_rows_is_refused(staff_client, campaign, monkeypatch):
    monkeypatch.setattr(csv_upload, "MAX_ROWS", 2)
    content = b"phone\n0412000001\n0412000002\n0412000003\n"
    assert "more than 2 rows" in upload(staff_client, campaign, content).content.decode()


def test_overlong_values_are_reported_per_row(staff_client, campaign):
    content = b"phone,notes\n0412000001," + b"x" * 1001 + b"\n0412000002,fine\n"
    summary = upload(staff_client, campaign, content).context["summary"]
    assert summary.valid_rows == 1 and summary.problems[0].line == 2


def test_exported_cells_round_trip_without_the_protective_quote(staff_client, campaign):
    content = b"phone,note\n0412000001,'=SUM(A1)\n"
    summary = upload(staff_client, campaign, content).context["summary"]
    assert summary.preview[0].variables == {"note": "=SUM(A1)"}


def test_stored_errors_are_capped_but_counted(staff_client, campaign, monkeypatch):
    monkeypatch.setattr("campaigns.services.MAX_STORED_ERRORS", 3)
    content = b"phone\n0412000001\n" + b"nope\n" * 10
    confirm(staff_client, campaign, upload(staff_client, campaign, content))
    upload_row = Upload.objects.get()
    assert upload_row.invalid_rows == 10 and len(upload_row.errors) == 3


def test_a_large_file_streams_into_batches(campaign, tmp_path, settings):
    from campaigns import services

    settings.MEDIA_ROOT = str(tmp_path)
    lines = ["phone,name,suburb"] + [f"04{n:08d},Person {n},Bondi" for n in range(12, 5012)]
    body = ("\n".join(lines) + "\n").encode()
    token = services.store_pending_upload(SimpleUploadedFile("big.csv", body))

    result = services.import_upload(campaign=campaign, token=token, filename="big.csv")

    assert result.total_rows == 5000 and result.invalid_rows == 0
    assert BatchContact.objects.filter(upload=result).count() == 5000
    assert not list((tmp_path / "uploads").glob("*.csv"))  # the preview file is removed


def test_imported_rows_get_distinct_random_ids_and_keep_every_character_of_their_variables(
    staff_client, campaign
):
    tricky = ['Say "hi" \\ 100% off', "Zoë · 日本 · 🏠", "tab\there", "line one\nline two", ""]
    lines = ["phone,note,suburb"] + [
        f'04120000{n:02d},"{value.replace(chr(34), chr(34) * 2)}",Bondi'
        for n, value in enumerate(tricky, start=1)
    ]
    preview = upload(staff_client, campaign, ("\n".join(lines) + "\n").encode())

    confirm(staff_client, campaign, preview)

    stored = list(BatchContact.objects.order_by("line_number"))
    assert [contact.variables for contact in stored] == [
        {"note": value, "suburb": "Bondi"} for value in tricky
    ]
    ids = [contact.id for contact in stored]
    assert len(set(ids)) == len(tricky)
    assert {(pk.version, pk.variant) for pk in ids} == {(4, uuid.RFC_4122)}
    assert BatchContact.objects.get(pk=ids[1]).name == ""


def test_a_semicolon_export_maps_mobile_name_and_state_and_stores_the_state(staff_client, campaign):
    content = (
        b"Full name;Mobile;State;Suburb\n"
        b"Ana Silva;0413 222 333;vic;Richmond\n"
        b"Tom Jones;6.14123456E+10;WA;Perth\n"
        b"Mia Wong;4.13222555E+08;;Fitzroy\n"
    )

    preview = upload(staff_client, campaign, content)

    summary = preview.context["summary"]
    assert summary.variable_keys == ["suburb"]
    assert summary.problems[0].line == 3
    assert "Excel rounded this number — format the column as text" in summary.problems[0].message
    confirm(staff_client, campaign, preview)
    rows = {row.phone: row for row in BatchContact.objects.all()}
    assert set(rows) == {"+61413222333", "+61413222555"}
    assert (rows["+61413222333"].name, rows["+61413222333"].state) == ("Ana Silva", "VIC")
    assert rows["+61413222333"].variables == {"suburb": "Richmond"}


def test_an_unclosed_quote_refuses_the_upload_naming_its_line(staff_client, campaign):
    content = b'phone,name\n0412000001,Alice\n0412000002,"Bob\n0412000003,Carol\n'
    response = upload(staff_client, campaign, content)
    html = response.content.decode().replace("&quot;", '"')
    assert 'A quote (") opened on line 3 is never closed' in html
    assert Upload.objects.count() == 0


def test_an_ignored_column_is_not_a_variable_and_the_choice_is_remembered(staff_client, campaign):
    content = b"phone,suburb,internal id\n0412000001,Bondi,A-17\n"
    preview = upload(staff_client, campaign, content)
    changed = staff_client.post(
        reverse("campaigns:upload_confirm", args=[campaign.id]),
        {**form_data(preview, column_2="ignore"), "preview": ""},
    )
    assert changed.context["summary"].variable_keys == ["suburb"]

    confirm(staff_client, campaign, changed)

    assert Upload.objects.get().variable_keys == ["suburb"]
    assert BatchContact.objects.get().variables == {"suburb": "Bondi"}
    again = upload(staff_client, campaign, b"phone,suburb,internal id\n0412000002,Manly,B-2\n")
    assert again.context["summary"].variable_keys == ["suburb"]
    assert "the choices you made last time" in again.content.decode()


def test_a_state_column_puts_each_mobile_in_its_states_calling_hours(staff_client, campaign):
    from tests.factories import make_contact

    make_contact(phone="+61412000003", state="QLD")  # the contact's own state
    make_contact(phone="+61412000002", state="QLD")  # …loses to the row's state column
    content = (
        b"phone,name,state\n"
        b"0412 000 001,Ava,wa\n"
        b"0412 000 002,Ben,Victoria\n"
        b"0412 000 003,Cai,\n"
        b"0412 000 004,Dee,\n"
        b"08 9200 0000,Eve,WA\n"
        b"0412 000 006,Fay,Sydney\n"
    )
    preview = upload(staff_client, campaign, content)
    (problem,) = preview.context["summary"].problems
    assert problem.line == 7
    assert "“Sydney” is not an Australian state: use NSW, VIC" in problem.message

    confirm(staff_client, campaign, preview)

    regions = dict(BatchContact.objects.values_list("name", "region"))
    assert regions == {"Ava": "WA", "Ben": "VIC", "Cai": "QLD", "Dee": "AU", "Eve": "WA"}
    assert BatchContact.objects.get(name="Ava").state == "WA"


def test_a_stored_file_is_confirmed_only_in_the_session_and_campaign_that_chose_it(
    staff_client, campaign
):
    preview = upload(staff_client, campaign, b"Phone,Name\n0412345678,Priya\n")
    other_campaign = Campaign.objects.create(agency=default_agency(), name="Autumn")
    inland = make_agency(name="Inland")
    inland_campaign = Campaign.objects.create(agency=inland, name="Inland spring")
    stranger = make_staff_user("stranger", agency=inland, role=Role.OWNER)
    stranger_client = Client()
    stranger_client.force_login(stranger)

    wrong_campaign = confirm(staff_client, other_campaign, preview)
    wrong_session = confirm(stranger_client, inland_campaign, preview)

    for response in (wrong_campaign, wrong_session):
        assert response.status_code == 302
        assert "/uploads/new/" in response["Location"]
    assert Upload.objects.count() == 0
    assert confirm(staff_client, campaign, preview).status_code == 302
    assert Upload.objects.get().campaign == campaign
