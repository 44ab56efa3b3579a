"""The Listings page (search, filters, status, next inspection) and its HTMX results."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from listings.models import Listing
from tests.factories import default_agency
from tests.listings.helpers import upload_reaxml

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(staff_client):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Australia/Sydney"))):
        upload_reaxml(staff_client, "every_kind.xml")
        yield


def listed(response) -> list[str]:
    return [listing.unique_id for listing in response.context["page"].object_list]


def test_the_page_shows_status_and_next_inspection(staff_client, stock):
    response = staff_client.get("/listings/")

    page = response.content.decode()
    assert len(listed(response)) == 9
    assert "4 listings in current stock" in page
    assert 'datetime="2026-03-14T10:00:00+11:00"' in page
    assert "Sat 14 Mar, 10:00 a.m." in page
    assert "Street withheld" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=stock", ["RES-2", "LAND-1", "RES-1", "RENT-1"]),
        ("status=sold", ["RURAL-1"]),
        ("kind=rental", ["RENT-1"]),
        ("suburb=bondi", ["RES-1"]),
        ("q=ocean", ["RES-1"]),
        ("q=ridge+road", ["LAND-1"]),
    ],
)
def test_filters(staff_client, stock, query, expected):
    assert sorted(listed(staff_client.get(f"/listings/?{query}"))) == sorted(expected)


def test_htmx_gets_the_results_only_and_a_filtered_empty_state(staff_client, stock):
    response = staff_client.get("/listings/?q=nowhere", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<!doctype html>" not in body
    assert "No listings match" in body
    assert "HX-Request" in response["Vary"]


def test_the_page_reads_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries):
    agency = default_agency()
    Listing.objects.bulk_create(
        Listing(agency=agency, unique_id=f"Q-{n}", suburb="Bondi", suburb_key="bondi")
        for n in range(40)
    )
    with django_assert_max_num_queries(12):
        response = staff_client.get("/listings/")
    assert len(listed(response)) == 40


def test_an_empty_agency_says_how_to_start(staff_client):
    assert "No listings yet" in staff_client.get("/listings/").content.decode()
