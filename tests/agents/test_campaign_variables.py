"""Campaign variables in the agent editor: accepted, listed, and given a placeholder at sync."""

import pytest
from django.urls import reverse

from agents.models import Agent
from tests.agents.test_sync import AGENTS, agent_form_data
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS

pytestmark = pytest.mark.django_db

PROMPT = "You are {{agent_name}}. Ask about the home in {{suburb}}, listed at {{ price }}."
GREETING = "Hi {{caller_name}}, it's about {{property_address}} in {{suburb}}."


def test_campaign_variables_are_accepted_and_listed_in_the_editor(staff_client):
    response = staff_client.post(
        reverse("agents:create"),
        agent_form_data(system_prompt=PROMPT, greeting_message=GREETING),
    )

    agent = Agent.objects.get()
    assert response.status_code == 302
    assert agent.campaign_variables() == ["suburb", "price", "property_address"]
    html = staff_client.get(reverse("agents:edit", args=[agent.id])).content.decode()
    assert "Campaign variables" in html
    assert (
        "This agent uses: <code>{{suburb}}</code>, <code>{{price}}</code>, "
        "<code>{{property_address}}</code>."
    ) in html
    assert "A job is refused when its upload lacks one" in html


def test_the_synced_agent_has_an_empty_placeholder_for_each_campaign_variable(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post(
        reverse("agents:create"),
        agent_form_data(system_prompt=PROMPT, greeting_message=GREETING),
    )

    created = fake.last_request("POST", f"{AGENTS}/create").json
    placeholders = created["conversation_config"]["agent"]["dynamic_variables"][
        "dynamic_variable_placeholders"
    ]
    assert placeholders == {
        "suburb": "",
        "price": "",
        "property_address": "",
        **CALLER_VARIABLE_PLACEHOLDERS,
        "agency_name": "Test Agency",
    }
