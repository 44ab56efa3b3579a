"""Staff add a custom function to an agent, switch it off and on, and test it."""

import json
import os

import pytest

from functions.models import CustomFunction
from tests.factories import make_agent
from tests.functions.conftest import allow_localhost, target  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("allow_localhost"),
]

SCREENSHOTS = os.environ.get("VOQO_SCREENSHOTS")  # a folder, to look at the pages by eye


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_staff_create_toggle_and_test_a_function(logged_in_page, live_server, target):  # noqa: F811
    page = logged_in_page
    target.answer("/listing", {"data": {"price": "$1.8M"}})
    agent = make_agent(name="Lisa")
    page.goto(f"{live_server.url}/functions/agent/{agent.id}/")
    page.get_by_role("link", name="New function").click()

    page.get_by_label("Name", exact=True).fill("check_property")
    page.get_by_label("Description").fill("Check a listing's price.")
    page.get_by_label("Endpoint").fill(target.url("/listing"))
    page.get_by_label("Auth type").select_option("bearer")
    assert page.get_by_label("Token").is_visible()
    assert not page.get_by_label("API key").is_visible()
    assert not page.get_by_label("User name").is_visible()
    page.get_by_label("Token").fill("bearer-browser-secret")
    page.get_by_label("Parameters").fill(
        json.dumps(
            {
                "type": "object",
                "properties": {"address": {"type": "string", "description": "Address"}},
                "required": ["address"],
            }
        )
    )
    page.get_by_label("Response mapping").fill('{"price": "data.price"}')
    _shot(page, "function_form")
    page.get_by_role("button", name="Create function").click()

    page.get_by_text("Function check_property created").wait_for()
    _shot(page, "function_list")
    switch = page.get_by_role("switch", name="check_property enabled")
    switch.click()
    page.get_by_text("Function check_property disabled").wait_for()
    assert not CustomFunction.objects.get().enabled

    page.get_by_role("link", name="Test").first.click()
    page.get_by_label("address").fill("12 Ocean St")
    page.get_by_role("button", name="Run test").click()
    page.get_by_text("HTTP 200").wait_for()
    _shot(page, "function_test")
    assert "bearer-browser-secret" not in page.content()
    assert '"price": "$1.8M"' in page.locator("#test-result").inner_text()
