"""List pages answer HTMX with their results fragment, but a history restore with the page."""

import pytest
from django.urls import reverse

from tests.factories import make_call, make_contact

pytestmark = pytest.mark.django_db

LISTS = [
    pytest.param("calls:list", b"<h1>", id="calls"),
    pytest.param("contacts:list", b"<h1>", id="contacts"),
]


@pytest.fixture
def some_rows():
    make_call()
    make_contact(name="Priya")


@pytest.mark.parametrize("route, page_marker", LISTS)
def test_an_htmx_request_gets_the_fragment_and_varies_on_hx_request(
    staff_client, some_rows, route, page_marker
):
    response = staff_client.get(reverse(route), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert page_marker not in response.content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("route, page_marker", LISTS)
def test_a_history_restore_request_gets_the_full_page(staff_client, some_rows, route, page_marker):
    response = staff_client.get(
        reverse(route), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert response.status_code == 200
    assert page_marker in response.content and b"<html" in response.content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("route, page_marker", LISTS)
def test_a_plain_request_gets_the_full_page_and_varies_on_hx_request(
    staff_client, some_rows, route, page_marker
):
    response = staff_client.get(reverse(route))

    assert page_marker in response.content
    assert "HX-Request" in response["Vary"]
