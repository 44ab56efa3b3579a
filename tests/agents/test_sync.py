"""Saving an agent syncs it to ElevenLabs: create first, PATCH afterwards; failures keep the
local change, show the provider's words and offer a retry. Asserted at the fake provider."""

import pytest
from django.urls import reverse

from agents.models import Agent
from agents.prompt_templates import PROMPT_TEMPLATES
from agents.services import sync_agent
from functions.models import CustomFunction
from tests.factories import make_agent
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS
from voqo.providers import DEFAULT_DATA_COLLECTION

AGENTS = "/v1/convai/agents"
pytestmark = pytest.mark.django_db


def agent_form_data(**overrides):
    sales = PROMPT_TEMPLATES["property_sales"]
    return {
        "name": "Lisa - Sales",
        "description": "Answers buyer enquiries",
        "template": "property_sales",
        "system_prompt": sales.system_prompt,
        "greeting_message": sales.greeting_message,
        "voice_id": "21m00Tcm4TlvDq8ikWAM",
        "llm": "gpt-4o",
        "language": "en",
        "temperature": "0.4",
        "enabled": "on",
        **overrides,
    }


def test_creating_an_agent_creates_it_at_elevenlabs_with_the_full_configuration(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    response = staff_client.post(reverse("agents:create"), agent_form_data())

    agent = Agent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agents:detail", args=[agent.id])
    created = fake.last_request("POST", f"{AGENTS}/create").json
    config = created["conversation_config"]
    assert created["name"] == "Lisa - Sales"
    assert config["agent"]["prompt"]["prompt"] == PROMPT_TEMPLATES["property_sales"].system_prompt
    assert config["agent"]["prompt"]["llm"] == "gpt-4o"
    assert config["agent"]["prompt"]["temperature"] == 0.4
    assert config["agent"]["prompt"]["tool_ids"] == []
    assert config["agent"]["first_message"] == PROMPT_TEMPLATES["property_sales"].greeting_message
    assert config["agent"]["language"] == "en"
    assert config["tts"] == {"voice_id": "21m00Tcm4TlvDq8ikWAM"}
    # agency_name is the agent's own agency, even when a call start leaves it out.
    assert config["agent"]["dynamic_variables"]["dynamic_variable_placeholders"] == {
        **CALLER_VARIABLE_PLACEHOLDERS,
        "agency_name": agent.agency.name,
    }
    platform = created["platform_settings"]
    # The caller's facts, plus the agency's outcomes (tests/outcomes/test_agent_sync.py).
    assert {"caller_name", "caller_memories", "do_not_call", "outcome"} <= set(
        platform["data_collection"]
    )
    for key, item in DEFAULT_DATA_COLLECTION.items():
        assert platform["data_collection"][key] == item
    assert platform["overrides"]["conversation_config_override"]["agent"]["first_message"] is True
    assert agent.elevenlabs_agent_id in fake.agents
    assert agent.sync_status == Agent.SyncStatus.SYNCED
    assert agent.synced_at is not None
    page = staff_client.get(response["Location"])
    assert "created and synced to ElevenLabs" in page.content.decode()


def test_editing_a_synced_agent_patches_the_same_elevenlabs_agent(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post(reverse("agents:create"), agent_form_data())
    agent = Agent.objects.get()
    first_id = agent.elevenlabs_agent_id

    staff_client.post(
        reverse("agents:edit", args=[agent.id]),
        agent_form_data(greeting_message="G'day {{caller_name}}, {{agent_name}} here."),
    )

    agent.refresh_from_db()
    assert agent.elevenlabs_agent_id == first_id
    assert len(fake.requests_to("POST", f"{AGENTS}/create")) == 1
    patch = fake.last_request("PATCH", f"{AGENTS}/{first_id}").json
    assert patch["conversation_config"]["agent"]["first_message"] == (
        "G'day {{caller_name}}, {{agent_name}} here."
    )
    assert fake.agents[first_id]["conversation_config"]["agent"]["first_message"].startswith(
        "G'day"
    )


def test_sync_attaches_the_tools_of_enabled_functions_only(live_provider_settings):
    fake = live_provider_settings
    agent = make_agent(elevenlabs_agent_id="")
    common = {"description": "Look up", "endpoint": "https://api.example.com/x"}
    CustomFunction.objects.create(
        agent=agent, name="check_property", elevenlabs_tool_id="tool_b", **common
    )
    CustomFunction.objects.create(agent=agent, name="book", elevenlabs_tool_id="tool_a", **common)
    CustomFunction.objects.create(
        agent=agent, name="off", elevenlabs_tool_id="tool_c", enabled=False, **common
    )
    CustomFunction.objects.create(agent=agent, name="unsynced", **common)

    assert sync_agent(agent) is True

    created = fake.last_request("POST", f"{AGENTS}/create").json
    assert created["conversation_config"]["agent"]["prompt"]["tool_ids"] == ["tool_a", "tool_b"]


@pytest.mark.parametrize(
    "status, message",
    [
        (401, "Invalid API key"),
        (422, "name: Field required"),
        (500, "An internal server error occurred."),
    ],
)
def test_a_refused_sync_keeps_the_local_agent_and_shows_the_providers_message(
    staff_client, live_provider_settings, status, message
):
    fake = live_provider_settings
    body = None
    if status == 422:
        body = {"detail": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}]}
    fake.fail_next("POST", f"{AGENTS}/create", status, body=body)

    response = staff_client.post(reverse("agents:create"), agent_form_data(), follow=True)

    agent = Agent.objects.get()
    assert agent.name == "Lisa - Sales"
    assert agent.elevenlabs_agent_id == ""
    assert agent.sync_status == Agent.SyncStatus.FAILED
    assert agent.sync_error == message
    html = response.content.decode()
    assert "ElevenLabs refused the sync" in html  # flash
    assert "ElevenLabs refused the last sync" in html  # banner on the detail page
    assert message.replace("'", "&#x27;") in html
    assert reverse("agents:sync", args=[agent.id]) in html


def test_a_failed_edit_keeps_the_new_text_locally_and_retry_sends_it(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post(reverse("agents:create"), agent_form_data())
    agent = Agent.objects.get()
    fake.fail_next("PATCH", f"{AGENTS}/", 401)  # not retried by the SDK

    staff_client.post(
        reverse("agents:edit", args=[agent.id]), agent_form_data(name="Lisa - Weekend")
    )
    agent.refresh_from_db()
    assert agent.name == "Lisa - Weekend"
    assert agent.sync_status == Agent.SyncStatus.FAILED

    response = staff_client.post(reverse("agents:sync", args=[agent.id]), follow=True)

    agent.refresh_from_db()
    assert agent.sync_status == Agent.SyncStatus.SYNCED
    assert agent.sync_error == ""
    assert fake.agents[agent.elevenlabs_agent_id]["name"] == "Lisa - Weekend"
    assert "is synced to ElevenLabs" in response.content.decode()
    assert "refused the last sync" not in response.content.decode()


def test_an_agent_deleted_at_elevenlabs_is_created_again_on_the_next_sync(live_provider_settings):
    fake = live_provider_settings
    agent = make_agent(elevenlabs_agent_id="agent_gone_by_hand")

    assert sync_agent(agent) is True

    assert agent.elevenlabs_agent_id != "agent_gone_by_hand"
    assert agent.elevenlabs_agent_id in fake.agents


def test_a_create_whose_answer_was_lost_is_adopted_on_retry_not_created_twice(
    live_provider_settings,
):
    fake = live_provider_settings
    agent = make_agent(name="Lisa - Sales", elevenlabs_agent_id="")
    fake.drop_after_handling("POST", f"{AGENTS}/create")

    assert sync_agent(agent) is False  # the provider made it; we never heard back
    agent.refresh_from_db()
    assert agent.sync_status == Agent.SyncStatus.FAILED and agent.elevenlabs_agent_id == ""
    assert len(fake.agents) == 1

    assert sync_agent(agent) is True

    agent.refresh_from_db()
    assert list(fake.agents) == [agent.elevenlabs_agent_id]
    assert len(fake.requests_to("POST", f"{AGENTS}/create")) == 1
    assert fake.agents[agent.elevenlabs_agent_id]["tags"] == [f"voqo:{agent.pk}"]
    assert fake.last_request("GET", AGENTS).query["search"] == ["Lisa - Sales"]


def test_an_agent_of_the_same_name_without_our_tag_is_not_adopted(live_provider_settings):
    fake = live_provider_settings
    first = make_agent(name="Lisa", elevenlabs_agent_id="")
    assert sync_agent(first) is True
    twin = make_agent(name="Lisa", elevenlabs_agent_id="")

    assert sync_agent(twin) is True

    twin.refresh_from_db()
    first.refresh_from_db()
    assert twin.elevenlabs_agent_id != first.elevenlabs_agent_id
    assert len(fake.agents) == 2


def test_a_failed_lookup_stops_the_create(live_provider_settings):
    fake = live_provider_settings
    agent = make_agent(elevenlabs_agent_id="")
    fake.fail_next("GET", AGENTS, 503, times=5)

    assert sync_agent(agent) is False

    assert fake.requests_to("POST", f"{AGENTS}/create") == []
    agent.refresh_from_db()
    assert agent.sync_status == Agent.SyncStatus.FAILED
