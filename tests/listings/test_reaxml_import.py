"""A REAXML upload: every listing kind and status, display rules, inspections, and the
created / updated / removed / rejected report."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from listings.models import Listing, ListingImport
from tests.listings.helpers import upload_reaxml

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.fixture
def early_march():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SYDNEY), tick=False):
        yield


def test_every_kind_and_status_is_imported_and_only_current_ones_are_in_stock(
    staff_client, early_march
):
    response = upload_reaxml(staff_client, "every_kind.xml")

    assert response.status_code == 200
    report = ListingImport.objects.get()
    assert (report.created, report.updated, report.removed, report.rejected) == (9, 0, 0, 0)
    kinds = dict(Listing.objects.values_list("unique_id", "kind"))
    assert set(kinds.values()) == {
        "residential",
        "rental",
        "land",
        "rural",
        "commercial",
        "commercialLand",
        "business",
        "holidayRental",
    }
    statuses = dict(Listing.objects.values_list("unique_id", "status"))
    assert statuses == {
        "RES-1": "current",
        "RES-2": "under_offer",
        "RENT-1": "current",
        "LAND-1": "current",
        "RURAL-1": "sold",
        "COM-1": "leased",
        "CLAND-1": "withdrawn",
        "BUS-1": "off_market",
        "HOL-1": "deleted",  # "Deleted" in any case
    }
    in_stock = set(
        Listing.objects.filter(status__in=Listing.IN_STOCK).values_list("unique_id", flat=True)
    )
    assert in_stock == {"RES-1", "RES-2", "RENT-1", "LAND-1"}
    # The report page says what happened, skipped elements included.
    page = response.content.decode()
    assert "9</div>created" in page.replace("\n", "")
    assert "Skipped an unknown element &lt;agentMarketingBlurb&gt;" in page
    assert "Skipped an inspection time that is not a date" in page


def test_fields_are_read_as_the_notes_describe(staff_client, early_march):
    upload_reaxml(staff_client, "every_kind.xml")

    house = Listing.objects.get(unique_id="RES-1")
    assert house.agent_code == "XNWXNW"
    assert house.street_address == "12 Ocean Street"
    assert (house.suburb, house.state, house.postcode) == ("Bondi", "NSW", "2026")
    assert house.category == "House"
    assert house.headline == "Light-filled family home near the beach"
    assert house.description == "Four bedrooms &amp; a pool.\n\nWalk to the sand."
    assert house.price == Decimal("1450000")
    assert house.display_price == "Guide $1.4m - $1.5m"
    assert (house.bedrooms, house.bathrooms, house.car_spaces) == (4, 2, 2)
    assert (house.land_size, house.land_unit) == (Decimal("450"), "squareMeter")
    assert house.agent_name == "Mary Lee"
    assert house.agent_phone == "0412 000 111"  # the mobile, when there is one
    assert house.link == "https://harbour.example/listings/res-1"
    # Inspections are agency-local, sorted; the row without a date is skipped.
    assert house.inspections == [
        ["2026-03-14T10:00:00+11:00", "2026-03-14T10:30:00+11:00"],
        ["2026-03-21T11:00:00+11:00", "2026-03-21T11:30:00+11:00"],
    ]
    assert house.next_inspection()[0] == datetime(2026, 3, 14, 10, 0, tzinfo=SYDNEY)

    rental = Listing.objects.get(unique_id="RENT-1")
    assert rental.rent_per_week == Decimal("600")  # the weekly rent, not the monthly one
    assert rental.display_price == "$600 per week"
    assert str(rental.date_available) == "2026-04-01"
    assert rental.inspections == []
    assert Listing.objects.get(unique_id="RURAL-1").sold_price == Decimal("2100000")


def test_display_rules_hide_the_street_and_the_price(staff_client, early_march):
    upload_reaxml(staff_client, "every_kind.xml")

    unit = Listing.objects.get(unique_id="RENT-1")
    assert unit.street_address == "2/39 Hidden Lane"  # kept, never shown
    assert unit.display_address == "Coogee NSW 2034"
    land = Listing.objects.get(unique_id="LAND-1")
    assert land.street_address == "Lot 7 Ridge Road"
    assert land.land_size is None  # an empty area is unknown, not 0
    # display="no": neither the number nor the agent's price text is shown.
    assert land.price == Decimal("650000")
    assert land.display_price == "Contact agent"
    business = Listing.objects.get(unique_id="BUS-1")
    assert business.display_address == "Newtown NSW 2042"  # suburb display="no"

    page = staff_client.get(f"/listings/{unit.pk}/").content.decode()
    assert "Coogee NSW 2034" in page
    assert "withheld from callers" in page


def test_the_feed_credentials_are_never_stored(staff_client, early_march):
    upload_reaxml(staff_client, "every_kind.xml")

    report = ListingImport.objects.get()
    stored = repr(report.problems) + report.name + report.error
    assert "feed-secret-password" not in stored
    assert "feed-secret-password" not in "".join(
        Listing.objects.values_list("description", flat=True)
    )


def test_a_record_that_cannot_be_applied_is_rejected_with_its_reason(staff_client):
    response = upload_reaxml(staff_client, "bad_records.xml")

    report = ListingImport.objects.get()
    assert (report.created, report.rejected) == (1, 3)
    messages = {problem["listing"]: problem["message"] for problem in report.problems}
    assert "“listed” is not one REAXML defines" in messages["BAD-STATUS"]
    assert "modTime" in messages["NO-MODTIME"]
    assert any("no uniqueID" in message for message in messages.values())
    assert list(Listing.objects.values_list("unique_id", flat=True)) == ["GOOD-1"]
    assert "neither published nor removed" in response.content.decode()


def test_a_staff_member_cannot_import_but_can_see_the_listings(client, early_march):
    from tests.factories import make_staff_user

    client.force_login(make_staff_user(username="viewer", role="staff"))
    response = upload_reaxml(client, "every_kind.xml")

    assert response.status_code == 403
    assert not Listing.objects.exists()
    assert client.get("/listings/").status_code == 200
    assert client.get("/listings/import/").status_code == 200
