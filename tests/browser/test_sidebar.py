"""The sidebar groups its many pages under small headings, fits a 390 px phone without
sideways scrolling, and shows the Messages unread badge."""

import pytest
from django.utils import timezone

from messages.models import Thread
from tests.factories import default_agency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_open_menu_shows_every_group_within_the_screen(logged_in_page, live_server):
    Thread.objects.create(
        agency=default_agency(),
        phone="+61412345678",
        last_message_at=timezone.now(),
        last_body="Is it still available?",
        unread_count=2,
    )
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Main")

    headings = nav.locator(".nav-heading")
    assert headings.all_inner_texts() == ["WORK", "AGENTS", "AGENCY"]  # shown in capitals
    for heading, links in (
        ("Work", ("Calls", "Outcomes")),
        ("Agents", ("Knowledge", "Listings")),
        ("Agency", ("Compliance", "Audit trail")),
    ):
        group = nav.locator(".nav-group").filter(has=page.get_by_text(heading, exact=True))
        for link in links:
            assert group.get_by_role("link", name=link, exact=True).is_visible()
    messages = nav.get_by_role("link", name="Messages 2 unread")
    messages.wait_for()
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#main-nav a')]"
        ".map(a => a.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= PHONE["width"]
    assert not page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_on_a_short_laptop_screen_the_last_sidebar_page_can_be_reached(logged_in_page, live_server):
    page = logged_in_page
    page.set_viewport_size({"width": 1366, "height": 600})
    page.goto(f"{live_server.url}/")
    audit = page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail")

    audit.scroll_into_view_if_needed()
    assert audit.is_visible()
    audit.click()
    page.wait_for_url(f"{live_server.url}/audit/**")
