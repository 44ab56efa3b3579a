"""An owner makes an API key, registers a webhook endpoint, sends a test event and resends
it from the delivery log, in a real browser."""

import json

import pytest

from tests.webhooks.receiver import receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_connects_a_crm_with_a_key_and_a_webhook(logged_in_page, live_server, settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    page = logged_in_page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Make key").click()
    key = page.get_by_role("textbox", name="Key", exact=True).input_value()
    assert key.startswith("voqo_")
    assert page.get_by_role("cell", name=key[:11] + "…").is_visible()

    with receiver() as (url, received):
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
        page.get_by_label("Endpoint URL").fill(url)
        page.get_by_label("test.ping", exact=False).check()
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.get_by_label("Signing secret").input_value()
        assert secret.startswith("whsec_")
        page.get_by_role("link", name="Go to the endpoint").click()
        page.get_by_role("button", name="Send test event").click()
        page.get_by_text("A test.ping event is on its way").wait_for()
        page.get_by_role("link", name="test.ping").click()
        page.get_by_role("button", name="Resend").click()
        page.get_by_text("Sent again, with the same event id.").wait_for()

    assert len(received) == 2
    assert len({json.loads(hit["body"])["id"] for hit in received}) == 1
    assert page.get_by_text("HTTP 200").count() == 2
