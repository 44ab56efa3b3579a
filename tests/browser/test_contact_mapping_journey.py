"""Staff import a CRM export Voqo half-recognises: fix the mapping, preview, import."""

import pytest

from contacts.models import Contact

pytestmark = pytest.mark.browser

CSV = "Customer;Cell Number;Info\nPriya Sharma;0412 345 678;Wants a garden\n"


def test_choose_columns_preview_and_import(logged_in_page, live_server, tmp_path):
    page = logged_in_page
    csv_file = tmp_path / "crm.csv"
    csv_file.write_text(CSV, encoding="utf-8")

    page.goto(f"{live_server.url}/contacts/import/")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Next: choose columns").click()

    assert page.get_by_role("heading", name="Import preview: crm.csv").is_visible()
    assert page.get_by_label("Cell Number").input_value() == "phone_1"
    assert page.get_by_label("Customer").input_value() == "ignore"
    assert page.get_by_text("semicolon-separated").is_visible()

    page.get_by_label("Customer").select_option(label="Name (full)")
    page.get_by_label("Info").select_option(label="Notes")
    page.get_by_role("button", name="Update preview").click()
    row = page.get_by_role("row").filter(has_text="Priya Sharma")
    assert row.get_by_text("Wants a garden").is_visible()
    assert not Contact.objects.exists()

    page.get_by_role("button", name="Import 1 contact").click()

    page.wait_for_url(f"{live_server.url}/contacts/")
    assert page.get_by_text("Imported 1 new contact.").is_visible()
    contact = Contact.objects.get()
    assert (contact.name, contact.phone, contact.notes) == (
        "Priya Sharma",
        "+61412345678",
        "Wants a garden",
    )
