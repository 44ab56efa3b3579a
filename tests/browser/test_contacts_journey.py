"""Staff import contacts from a CSV (preview, then confirm), open one and add a memory."""

import pytest

from contacts.models import Contact, Memory

pytestmark = pytest.mark.browser

CSV = (
    "name,phone,notes,tags\n"
    'Priya Sharma,0412 345 678,Selling in spring,"buyer, vip"\n'
    "Tom Jones,not a number,,\n"
    "Ana Silva,+61 413 000 111,,renter\n"
)


def test_import_contacts_then_add_a_memory(logged_in_page, live_server, tmp_path):
    page = logged_in_page
    csv_file = tmp_path / "contacts.csv"
    csv_file.write_text(CSV, encoding="utf-8")

    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Next: choose columns").click()

    assert page.get_by_role("heading", name="Import preview: contacts.csv").is_visible()
    assert page.get_by_text("Line 3: “not a number” is not a phone number.").is_visible()
    assert not Contact.objects.exists()
    page.get_by_role("button", name="Import 2 contacts").click()

    page.wait_for_url(f"{live_server.url}/contacts/")
    assert page.get_by_text("Imported 2 new contacts.").is_visible()
    assert Contact.objects.count() == 2

    page.get_by_label("Search by name or phone").fill("0412 345")
    page.locator("#contact-results").get_by_text("1 contact found").wait_for()
    page.get_by_role("link", name="Priya Sharma").click()
    assert page.get_by_role("heading", name="Priya Sharma").is_visible()

    page.get_by_label("Add a memory").fill("Wants a north-facing garden")
    page.get_by_role("button", name="Add memory").click()
    page.locator("#memories").get_by_text("Wants a north-facing garden").wait_for()
    # HTMX swapped the section in place: the form is empty again, no page load happened.
    assert page.get_by_label("Add a memory").input_value() == ""
    assert not page.get_by_text("Memory added.").is_visible()
    memory = Memory.objects.get()
    assert (memory.contact.name, memory.source) == ("Priya Sharma", "manual")
