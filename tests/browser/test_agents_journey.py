import re

import pytest

pytestmark = pytest.mark.browser


def test_staff_create_an_agent_from_a_template_and_find_it_in_the_list(logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/agents/")
    page.get_by_role("link", name="New agent").click()
    page.wait_for_url(f"{live_server.url}/agents/new/")
    prompt = page.get_by_label("System prompt")
    assert "sales assistant" in prompt.input_value()

    page.get_by_label("Template").select_option("property_manager")
    # HTMX swaps in the property manager's prompt and greeting.
    page.wait_for_function(
        "document.querySelector('#id_system_prompt').value"
        ".includes('property-management assistant')"
    )
    assert "property management" in page.get_by_label("Greeting (first message)").input_value()

    page.get_by_label("Name", exact=True).fill("Max - Rentals")
    page.get_by_role("button", name="Create and sync").click()

    page.wait_for_url(re.compile(r"/agents/[0-9a-f-]{36}/$"))
    assert page.get_by_role("heading", name="Max - Rentals").is_visible()
    assert page.get_by_text("created and synced to ElevenLabs").is_visible()

    page.get_by_role("link", name="Agents", exact=True).click()
    page.wait_for_url(f"{live_server.url}/agents/")
    card = page.locator(".card", has_text="Max - Rentals")
    assert card.get_by_text("Property manager").is_visible()
    assert card.get_by_text("Synced").is_visible()

    # The inline toggle swaps the card in place.
    card.get_by_role("switch").click()
    page.wait_for_selector(".card:has-text('Max - Rentals') [aria-checked='false']")
    assert card.get_by_text("Disabled", exact=True).is_visible()


def test_cancelling_replace_prompt_keeps_the_template_and_the_prompt(logged_in_page, live_server):
    from agents.models import Agent
    from tests.factories import make_agent

    agent = make_agent(
        name="Lisa", template=Agent.Template.PROPERTY_SALES, system_prompt="My own careful prompt."
    )
    page = logged_in_page
    page.goto(f"{live_server.url}/agents/{agent.id}/edit/")
    template = page.get_by_label("Template")

    page.once("dialog", lambda dialog: dialog.dismiss())
    template.select_option("property_manager")
    page.wait_for_function("document.querySelector('#id_template').value === 'property_sales'")
    assert page.get_by_label("System prompt").input_value() == "My own careful prompt."

    page.once("dialog", lambda dialog: dialog.accept())
    template.select_option("property_manager")
    page.wait_for_function(
        "document.querySelector('#id_system_prompt').value"
        ".includes('property-management assistant')"
    )
    assert template.input_value() == "property_manager"
