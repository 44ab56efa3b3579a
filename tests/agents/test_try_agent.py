"""Try the agent before going live: staff see exactly what it is told (real prompt, variables
and caller context); the sandbox scripts a text conversation, live mode embeds ElevenLabs'
widget served from Voqo itself."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import make_agency, make_agent, make_contact, make_memory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return make_agent(
        name="Lisa",
        elevenlabs_agent_id="agent_sbx_lisa",
        greeting_message="Hi {{caller_name}}, it's {{agent_name}} about {{suburb}}.",
        system_prompt="You are {{agent_name}}. Context: {{caller_context}}",
    )


def test_staff_see_what_the_agent_is_told_for_a_known_caller(staff_client, agent):
    priya = make_contact(name="Priya", phone="+61412345678", notes="Selling in spring")
    make_memory(priya, "Has a dog")

    response = staff_client.get(
        reverse("agents:try", args=[agent.id]),
        {"caller_phone": "0412 345 678", "var_suburb": "Bondi"},
    )

    briefing = response.context["briefing"]
    assert briefing.greeting == "Hi Priya, it's Lisa about Bondi."
    assert "Has a dog" in briefing.prompt and "Selling in spring" in briefing.prompt
    assert briefing.variables["suburb"] == "Bondi"
    page = response.content.decode()
    assert "Hi Priya, it&#x27;s Lisa about Bondi." in page
    assert "{{ suburb }}" in page


def test_another_agencys_contact_is_a_stranger_to_the_agent(staff_client, agent):
    make_contact(agency=make_agency(), name="Not yours", phone="+61412345678")

    response = staff_client.get(
        reverse("agents:try", args=[agent.id]), {"caller_phone": "0412345678"}
    )

    assert response.context["briefing"].variables["caller_name"] == "there"


def test_a_bad_caller_number_is_refused_with_a_message(staff_client, agent):
    response = staff_client.get(reverse("agents:try", args=[agent.id]), {"caller_phone": "12"})

    assert response.context["briefing"] is None
    assert "not a valid" in " ".join(response.context["form"].errors["caller_phone"])


def test_the_sandbox_scripts_a_conversation_opening_with_the_real_greeting(staff_client, agent):
    make_contact(name="Priya", phone="+61412345678")
    page = staff_client.get(reverse("agents:try", args=[agent.id])).content.decode()
    assert reverse("sandbox_try_conversation", args=[agent.id]) in page

    response = staff_client.get(
        reverse("sandbox_try_conversation", args=[agent.id]),
        {"caller_phone": "+61412345678", "var_suburb": "Coogee"},
        headers={"HX-Request": "true"},
    )

    turns = response.context["turns"]
    assert turns[0] == {"role": "agent", "message": "Hi Priya, it's Lisa about Coogee."}
    assert any(turn["role"] == "user" for turn in turns)
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_live_mode_embeds_the_vendored_widget_with_the_callers_variables(
    staff_client, agent, settings
):
    settings.VOQO_PROVIDER = "live"
    page = staff_client.get(reverse("agents:try", args=[agent.id])).content.decode()

    assert '<elevenlabs-convai agent-id="agent_sbx_lisa"' in page
    assert "/static/vendor/elevenlabs-convai-widget/index.js" in page
    assert "cdn" not in page.lower()
    attribute = re.search(r'dynamic-variables="([^"]*)"', page).group(1)
    variables = json.loads(attribute.replace("&quot;", '"').replace("&#x27;", "'"))
    assert variables["agent_name"] == "Lisa"


def test_an_unsynced_agent_says_so_instead_of_a_conversation(staff_client):
    agent = make_agent(name="New")
    page = staff_client.get(reverse("agents:try", args=[agent.id])).content.decode()
    assert "is not synced to ElevenLabs yet" in page
