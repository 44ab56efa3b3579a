import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from tests.factories import default_agency, make_call, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def page_scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_on_a_phone_the_menu_button_opens_the_sidebar(logged_in_page, live_server):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    menu = page.get_by_role("button", name="Menu")
    calls_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Calls")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not calls_link.is_visible()

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    calls_link.click()
    page.wait_for_url(f"{live_server.url}/calls/")
    assert page.get_by_role("heading", name="Calls").is_visible()


def test_on_a_laptop_the_sidebar_shows_without_a_menu_button(logged_in_page, live_server):
    page = logged_in_page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Calls").is_visible()


def test_a_table_too_wide_for_a_phone_scrolls_in_its_own_box(logged_in_page, live_server):
    Campaign.objects.create(
        agency=default_agency(),
        name="Spring open homes",
        description="https://crm.example.com.au/campaigns/spring-open-homes-2026/bondi-buyers",
    )
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/campaigns/")

    box = page.get_by_role("region", name="Campaigns (table)")
    assert box.get_attribute("tabindex") == "0"  # so a keyboard can scroll it
    assert not page_scrolls_sideways(page)
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")


def test_on_a_phone_a_wide_table_becomes_rows_labelled_by_column(logged_in_page, live_server):
    make_call(contact=make_contact(name="Priya Sharma"), summary="Asked about 12 Ocean Street.")
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/calls/")

    cell = page.get_by_role("cell", name="Priya Sharma")
    assert cell.get_attribute("data-label") == "Caller"
    label = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Caller"'
    assert not page_scrolls_sideways(page)


def test_rows_htmx_swaps_in_are_labelled_too(logged_in_page, live_server):
    make_contact(name="Priya Sharma", phone="+61412345678", tags=["buyer"])
    make_contact(name="James Nguyen", phone="+61498765432")
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/contacts/")

    page.get_by_label("Search by name or phone").fill("Priya")
    expect(page.get_by_role("cell", name="James Nguyen")).to_have_count(0)  # swapped
    expect(page.get_by_role("cell", name="0412 345 678")).to_have_attribute("data-label", "Phone")
