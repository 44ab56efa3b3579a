"""A contact's owner: a member of the agency, set on the contact page and through the API,
shown on the contact page and a filter of the contacts list; anyone else is refused."""

import pytest

from api.keys import create_api_key
from contacts.models import Contact
from tests.api.conftest import key_client
from tests.factories import default_agency, make_agency, make_contact, make_staff_user

pytestmark = pytest.mark.django_db


def test_staff_set_the_owner_on_the_contact_page_and_see_it(staff_client):
    sam = make_staff_user(username="sam", role="staff")
    contact = make_contact(name="Priya", phone="+61412345678")

    response = staff_client.post(
        f"/contacts/{contact.pk}/edit/",
        {"name": "Priya", "phone": "0412 345 678", "owner": sam.pk},
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.owner == sam
    page = staff_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "<dt>Owner</dt>" in page and "?owner=sam" in page


def test_an_owner_from_another_agency_is_refused_with_a_clear_error(staff_client):
    outsider = make_staff_user(username="outsider", agency=make_agency())
    contact = make_contact(name="Priya", phone="+61412345678")

    response = staff_client.post(
        f"/contacts/{contact.pk}/edit/",
        {"name": "Priya", "phone": "0412 345 678", "owner": outsider.pk},
    )

    assert response.status_code == 200
    assert "The owner must be a member of this agency." in response.content.decode()
    contact.refresh_from_db()
    assert contact.owner is None


def test_the_contacts_list_filters_by_owner(staff_client):
    sam = make_staff_user(username="sam", role="staff")
    mine = make_contact(name="Priya", owner=sam)
    make_contact(name="Someone else")

    page = staff_client.get("/contacts/", {"owner": "sam"})

    assert list(page.context["page"].object_list) == [mine]
    assert '<option value="sam" selected>' in page.content.decode()


def test_the_api_sets_and_returns_the_owner_by_login_and_refuses_outsiders(db):
    make_staff_user(username="sam", role="staff")
    make_staff_user(username="outsider", agency=make_agency())
    api = key_client(create_api_key(agency=default_agency(), name="CRM").secret)
    contact = make_contact(name="Priya")
    url = f"/api/v1/contacts/{contact.pk}"

    updated = api.patch(url, {"owner": "sam"}, "application/json")
    outsider = api.patch(url, {"owner": "outsider"}, "application/json")
    nobody = api.patch(url, {"owner": "nobody-at-all"}, "application/json")

    assert updated.status_code == 200 and updated.json()["owner"] == "sam"
    for refused in (outsider, nobody):
        assert refused.status_code == 400
        assert refused.json()["error"]["field"] == "owner"
        assert refused.json()["error"]["message"] == "The owner must be a member of this agency."
    assert Contact.objects.get(pk=contact.pk).owner.username == "sam"
    cleared = api.patch(url, {"owner": None}, "application/json")
    assert cleared.json()["owner"] is None


def test_the_api_contact_list_reads_owners_in_constant_queries(db, django_assert_max_num_queries):
    api = key_client(create_api_key(agency=default_agency(), name="CRM").secret)
    make_contact(owner=make_staff_user(username="first", role="staff"))
    api.get("/api/v1/contacts")
    with django_assert_max_num_queries(20) as few:
        api.get("/api/v1/contacts")
    for n in range(10):
        make_contact(owner=make_staff_user(username=f"member{n}", role="staff"))
    with django_assert_max_num_queries(len(few)):
        api.get("/api/v1/contacts")
