"""Listings from a CSV, through the same column mapping as the contacts import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import ImportMapping
from listings.models import Listing, ListingImport

pytestmark = pytest.mark.django_db

CSV = (
    "Listing ID,Address,Suburb,State,Postcode,Type,Status,Property type,Price,Beds,Baths,"
    "Cars,Rent,Inspections,Notes\n"
    "C-1,12 Ocean Street,Bondi,nsw,2026,Sale,Current,House,1450000,4,2,2,,"
    "21-Mar-2026 11:00am to 11:30am,Pool\n"
    "C-2,3/8 Beach Road,Coogee,NSW,2034,Rent,Current,Unit,,2,1,1,650,,\n"
    "C-3,1 Sold Street,Bondi,NSW,2026,Sale,Sold,House,900000,3,1,1,,,\n"
    ",No Id Road,Bondi,NSW,2026,Sale,Current,House,1,1,1,1,,,\n"
    "C-5,5 Odd Road,Bondi,NSW,2026,Sale,Listed,House,1,1,1,1,,,\n"
)


def _upload(client, content: str = CSV):
    response = client.post(
        "/listings/import/csv/",
        {"file": SimpleUploadedFile("stock.csv", content.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302
    return response["Location"]


def test_columns_are_guessed_previewed_then_imported(staff_client):
    map_url = _upload(staff_client)

    page = staff_client.get(map_url)
    form = page.context["form"]
    roles = form.roles()
    assert roles[:9] == [
        "unique_id",
        "street_address",
        "suburb",
        "state",
        "postcode",
        "listing_type",
        "status",
        "category",
        "price",
    ]
    assert roles[-1] == "ignore"  # Notes
    assert page.context["usable_count"] == 3
    assert page.context["rejected_count"] == 2
    body = page.content.decode()
    assert "Line 5: No listing id." in body
    assert "“listed” is not one of current, under offer" in body
    assert not Listing.objects.exists()  # a preview saves nothing

    data = {f"column_{i}": role for i, role in enumerate(roles)}
    data.update(previewed=form.initial["previewed"], confirm="1")
    response = staff_client.post(map_url, data, follow=True)

    report = ListingImport.objects.get()
    assert (report.created, report.rejected) == (3, 2)
    assert "3</div>created" in response.content.decode().replace("\n", "")
    house = Listing.objects.get(unique_id="C-1")
    assert (house.state, house.bedrooms, house.source) == ("NSW", 4, "csv")
    assert house.inspections[0][0].startswith("2026-03-21T11:00")
    unit = Listing.objects.get(unique_id="C-2")
    assert unit.is_rental and unit.display_price == "$650 per week"
    assert Listing.objects.get(unique_id="C-3").in_stock is False
    # The confirmed mapping is remembered for the next file with these columns.
    assert ImportMapping.objects.get(kind="listings").roles == roles


def test_a_mapping_without_an_id_column_is_explained(staff_client):
    map_url = _upload(staff_client)
    roles = staff_client.get(map_url).context["form"].roles()
    roles[0] = "ignore"

    response = staff_client.post(
        map_url, {f"column_{i}": role for i, role in enumerate(roles)} | {"preview": "1"}
    )

    assert "Choose the column that holds the listing id (unique)." in response.content.decode()


def test_a_second_csv_updates_listings_by_id(staff_client):
    for content in (CSV, "Listing ID,Suburb,Status\nC-1,Bondi,Under offer\n"):
        map_url = _upload(staff_client, content)
        page = staff_client.get(map_url)
        form = page.context["form"]
        data = {f"column_{i}": role for i, role in enumerate(form.roles())}
        staff_client.post(map_url, data | {"previewed": form.initial["previewed"], "confirm": "1"})

    house = Listing.objects.get(unique_id="C-1")
    assert house.status == "under_offer"
    assert house.street_address == "12 Ocean Street"  # a column the file lacks is kept
    assert ListingImport.objects.order_by("created_at").last().updated == 1
