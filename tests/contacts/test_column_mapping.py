"""The mapping step of the contacts import: choose, preview, import; remembered per layout."""

import io

import pytest
from django.urls import reverse

from contacts.models import Contact, ImportMapping
from tests.contacts.test_csv_import import mapping_data

pytestmark = pytest.mark.django_db

BODY = b"Customer,Cell Number,Info\nPriya Sharma,0412 345 678,Wants a garden\n"


def upload(client, body: bytes = BODY):
    fileobj = io.BytesIO(body)
    fileobj.name = "crm.csv"
    response = client.post(reverse("contacts:import"), {"file": fileobj})
    return client.get(response["Location"])


def test_guessed_roles_are_shown_with_example_values(staff_client):
    page = upload(staff_client)
    html = page.content.decode()

    roles = mapping_data(page)
    assert (roles["column_0"], roles["column_1"], roles["column_2"]) == (
        "ignore",
        "phone_1",
        "ignore",
    )
    assert "e.g. 0412 345 678" in html and "Guessed from the column names" in html


def test_a_changed_mapping_is_previewed_imported_and_remembered_for_the_same_headers(
    staff_client,
):
    page = upload(staff_client)
    url = page.wsgi_request.path

    preview = staff_client.post(
        url, {**mapping_data(page, column_0="name", column_2="notes"), "preview": ""}
    )
    assert "Wants a garden" in preview.content.decode()
    response = staff_client.post(url, {**mapping_data(preview), "confirm": ""})

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.name, contact.notes) == ("Priya Sharma", "Wants a garden")
    assert ImportMapping.objects.get().roles == ["name", "phone_1", "notes"]

    again = upload(staff_client, b"Customer,Cell Number,Info\nTom,0413 000 111,Renter\n")
    assert "the choices you made last time" in again.content.decode()
    assert mapping_data(again)["column_0"] == "name"


def test_import_with_a_mapping_not_yet_previewed_shows_its_preview_first(staff_client):
    page = upload(staff_client)

    response = staff_client.post(
        page.wsgi_request.path, {**mapping_data(page, column_0="name"), "confirm": ""}
    )

    assert response.status_code == 200
    assert "The columns changed: check the preview, then import." in response.content.decode()
    assert not Contact.objects.exists()


def test_two_columns_for_one_field_are_refused_naming_them(staff_client):
    page = upload(staff_client)

    response = staff_client.post(
        page.wsgi_request.path,
        {**mapping_data(page, column_0="name", column_2="name"), "preview": ""},
    )

    assert "“Customer” and “Info” are both mapped to Name (full): choose one." in (
        response.content.decode()
    )


def test_without_a_phone_column_the_page_asks_for_one(staff_client):
    page = upload(staff_client, b"Customer,Info\nPriya,Garden\n")
    assert "Choose the column that holds the phone numbers" in page.content.decode()
    assert page.context["report"] is None
