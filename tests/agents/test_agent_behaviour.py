"""Every agent setting lands where ElevenLabs' agent API expects it (the fake provider checks
each body against the official OpenAPI), and bad values are refused with a clear message."""

import pytest
from django.urls import reverse

from agents.forms import LLM_CHOICES
from agents.models import Agent
from tests.agents.test_sync import agent_form_data
from tests.fakeprovider.openapi import load_document

AGENTS = "/v1/convai/agents"
pytestmark = pytest.mark.django_db


def behaviour(**overrides):
    settings = dict(
        max_tokens="300",
        turn_timeout="5.5",
        silence_end_call_timeout="45",
        max_duration_seconds="900",
        interruptions="",
        keywords="Bondi\nParramatta Road\n  \nBondi\nPriya Sharma",
        transfer_number="0412 000 111",
        transfer_condition="The caller wants to make an offer.",
        voicemail_detection="on",
        voicemail_message="Hi {{caller_name}}, call us back on 02 8000 1234.",
    )
    return agent_form_data(**{**settings, **overrides})


def test_every_setting_lands_where_the_agent_api_expects_it(staff_client, live_provider_settings):
    fake = live_provider_settings
    staff_client.post(reverse("agents:create"), behaviour(llm="gemini-2.5-flash", language="en"))

    agent = Agent.objects.get()
    assert agent.sync_status == Agent.SyncStatus.SYNCED, agent.sync_error
    config = fake.last_request("POST", f"{AGENTS}/create").json["conversation_config"]
    prompt = config["agent"]["prompt"]
    assert prompt["llm"] == "gemini-2.5-flash"
    assert prompt["max_tokens"] == 300
    assert config["agent"]["language"] == "en"
    assert config["turn"] == {"turn_timeout": 5.5, "silence_end_call_timeout": 45.0}
    assert config["conversation"]["max_duration_seconds"] == 900
    assert "interruption" not in config["conversation"]["client_events"]
    assert config["asr"] == {"keywords": ["Bondi", "Parramatta Road", "Priya Sharma"]}
    transfer = prompt["built_in_tools"]["transfer_to_number"]
    assert transfer["type"] == "system"
    assert transfer["params"] == {
        "system_tool_type": "transfer_to_number",
        "transfers": [
            {
                "transfer_destination": {"type": "phone", "phone_number": "+61412000111"},
                "condition": "The caller wants to make an offer.",
                "transfer_type": "conference",
            }
        ],
    }
    voicemail = prompt["built_in_tools"]["voicemail_detection"]
    assert voicemail["params"] == {
        "system_tool_type": "voicemail_detection",
        "voicemail_message": "Hi {{caller_name}}, call us back on 02 8000 1234.",
    }
    assert prompt["built_in_tools"]["end_call"]["params"]["system_tool_type"] == "end_call"
    # What the fake stored is what a later GET of the agent shows.
    stored = fake.agents[agent.elevenlabs_agent_id]["conversation_config"]
    assert stored["turn"]["turn_timeout"] == 5.5


def test_switching_transfer_and_voicemail_off_removes_the_tools_there(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post(reverse("agents:create"), behaviour())
    agent = Agent.objects.get()

    staff_client.post(
        reverse("agents:edit", args=[agent.id]),
        behaviour(
            transfer_number="",
            transfer_condition="",
            voicemail_detection="",
            voicemail_message="",
            interruptions="on",
            max_tokens="",
            silence_end_call_timeout="",
        ),
    )

    sent = fake.last_request("PATCH", f"{AGENTS}/{agent.elevenlabs_agent_id}").json
    prompt = sent["conversation_config"]["agent"]["prompt"]
    assert prompt["built_in_tools"]["transfer_to_number"] is None
    assert prompt["built_in_tools"]["voicemail_detection"] is None
    assert prompt["max_tokens"] == -1
    assert sent["conversation_config"]["turn"]["silence_end_call_timeout"] == -1
    assert "interruption" in sent["conversation_config"]["conversation"]["client_events"]
    stored = fake.agents[agent.elevenlabs_agent_id]["conversation_config"]["agent"]["prompt"]
    assert stored["built_in_tools"]["transfer_to_number"] is None


def test_every_offered_llm_is_one_the_agent_api_accepts():
    accepted = set(load_document()["components"]["schemas"]["LLM"]["enum"])
    assert {value for value, _label in LLM_CHOICES} <= accepted


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"max_tokens": "0"}, "max_tokens", "greater than or equal to 1"),
        ({"turn_timeout": "45"}, "turn_timeout", "less than or equal to 30"),
        ({"silence_end_call_timeout": "3"}, "silence_end_call_timeout", "greater than or equal"),
        ({"max_duration_seconds": "10"}, "max_duration_seconds", "greater than or equal to 30"),
        ({"transfer_number": "12"}, "transfer_number", "not a valid"),
        ({"transfer_condition": ""}, "transfer_condition", "Say when the agent should transfer"),
        ({"voicemail_detection": ""}, "voicemail_message", "Turn on voicemail detection"),
        ({"voicemail_message": "Hi {{caller_nmae}}"}, "voicemail_message", "caller_nmae"),
        ({"keywords": "x" * 51}, "keywords", "longer than 50 characters"),
        ({"keywords": "\n".join(f"word{n}" for n in range(101))}, "keywords", "101 keywords"),
        ({"llm": "gpt-99"}, "llm", "Select a valid choice"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(staff_client, overrides, field, message):
    response = staff_client.post(reverse("agents:create"), behaviour(**overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Agent.objects.exists()
