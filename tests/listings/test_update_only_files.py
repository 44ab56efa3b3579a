"""Files are deltas: a record changes only what it carries, a listing a file leaves out is
never touched, and a record older than the stored one is ignored."""

from decimal import Decimal

import pytest

from listings.models import Listing, ListingImport
from tests.listings.helpers import upload_reaxml

pytestmark = pytest.mark.django_db


def test_an_update_only_file_merges_and_never_deletes_what_it_does_not_mention(staff_client):
    upload_reaxml(staff_client, "every_kind.xml")
    before = {listing.unique_id: listing for listing in Listing.objects.all()}

    upload_reaxml(staff_client, "update_only.xml")

    report = ListingImport.objects.order_by("created_at").last()
    # RES-1 sold and LAND-1 withdrawn leave stock; RES-2 changes price; RENT-1's record
    # is older than the stored one.
    assert (report.created, report.updated, report.removed, report.rejected) == (0, 1, 2, 0)
    assert report.unchanged == 1
    assert Listing.objects.count() == len(before)  # nothing deleted

    sold = Listing.objects.get(unique_id="RES-1")
    assert sold.status == "sold"
    assert sold.sold_price == Decimal("1500000")
    # The minimal sold record kept everything it did not carry.
    assert sold.street_address == "12 Ocean Street"
    assert sold.headline == before["RES-1"].headline
    assert sold.inspections == before["RES-1"].inspections

    offer = Listing.objects.get(unique_id="RES-2")
    assert offer.price == Decimal("950000")
    assert offer.status == "under_offer"  # a current record without <underOffer> keeps it
    assert Listing.objects.get(unique_id="RENT-1").status == "current"  # older: ignored
    assert Listing.objects.get(unique_id="LAND-1").status == "withdrawn"
    unchanged = {"RURAL-1", "COM-1", "CLAND-1", "BUS-1", "HOL-1"}
    for unique_id in unchanged:
        assert Listing.objects.get(unique_id=unique_id).updated_at == before[unique_id].updated_at


def test_the_same_uniqueid_under_another_agentid_is_another_listing(staff_client):
    upload_reaxml(staff_client, "every_kind.xml")
    other_office = (
        b'<propertyList><residential modTime="2026-03-09-09:00:00" status="sold">'
        b"<agentID>OTHER1</agentID><uniqueID>RES-1</uniqueID></residential></propertyList>"
    )

    upload_reaxml(staff_client, "other.xml", other_office)

    assert Listing.objects.get(agent_code="XNWXNW", unique_id="RES-1").status == "current"
    assert Listing.objects.get(agent_code="OTHER1", unique_id="RES-1").status == "sold"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(staff_client):
    upload_reaxml(staff_client, "every_kind.xml")
    upload_reaxml(staff_client, "every_kind.xml")

    second = ListingImport.objects.order_by("created_at").last()
    assert (second.created, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == 9
