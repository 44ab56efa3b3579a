"""Connections page in Chromium: copy buttons and "Send a test webhook" over HTMX."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_copy_buttons_copy_the_exact_url_and_a_test_webhook_shows_its_result(
    logged_in_page, live_server, browser, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = logged_in_page
    page.get_by_role("navigation").get_by_role("link", name="Connections").click()
    page.wait_for_url(f"{live_server.url}/connections/")
    messages = []
    page.on("console", lambda message: messages.append(message))

    copy = page.get_by_role("button", name="Copy the post-call webhook URL")
    copy.click()

    expect(copy).to_have_text("Copied")
    expect(page.locator("#copy-status")).to_have_text("Copied the post-call webhook URL")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/webhooks/elevenlabs/post-call"

    page.get_by_role("button", name="Send a test post-call webhook").click()
    expect(page.locator("#test-result")).to_contain_text("Voqo accepted the signed test event.")
    assert page.url == f"{live_server.url}/connections/", "answered in place over HTMX"
    assert not [message for message in messages if message.type == "error"]
