"""Each enabled function is an ElevenLabs webhook tool that calls Voqo's proxy."""

import json

import pytest
from django.urls import reverse

from functions.models import CustomFunction
from tests.factories import make_agent
from tests.functions.helpers import PROPERTY_SCHEMA as SCHEMA

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "name": "check_property",
        "description": "Check whether a property is available.",
        "method": "GET",
        "endpoint": "https://api.example.com/properties",
        "auth_type": "bearer",
        "bearer_token": "agency-bearer-secret",
        "parameters": json.dumps(SCHEMA),
        "response_mapping": "",
        "timeout": "12",
        "enabled": "on",
    }
    data.update(overrides)
    return data


def test_creating_a_function_creates_a_webhook_tool_pointing_at_the_proxy(
    staff_client, live_provider_settings
):
    server = live_provider_settings
    agent = make_agent(name="Lisa")

    staff_client.post(reverse("functions:create", args=[agent.id]), _form_data())

    function = CustomFunction.objects.get()
    [created] = server.requests_to("POST", "/v1/convai/tools")
    config = created.json["tool_config"]
    assert config["type"] == "webhook"
    assert config["name"] == "check_property"
    assert config["description"] == "Check whether a property is available."
    assert config["response_timeout_secs"] == 12
    api_schema = config["api_schema"]
    assert api_schema["url"] == f"http://testserver/functions/{function.id}/invoke"
    assert api_schema["method"] == "POST"  # ElevenLabs always POSTs to the proxy
    assert api_schema["request_headers"] == {
        "X-Voqo-Function-Token": function.invocation_token,
        # ElevenLabs fills this in on every call, so each invocation is logged with its call.
        "X-Conversation-Id": {"variable_name": "system__conversation_id"},
    }
    body_schema = api_schema["request_body_schema"]
    assert body_schema["type"] == "object"
    assert body_schema["properties"] == SCHEMA["properties"]
    assert body_schema["required"] == ["address"]
    assert body_schema["description"]
    # The agency's own secret never goes to ElevenLabs, and neither does its endpoint.
    assert "agency-bearer-secret" not in created.body.decode()
    assert "api.example.com" not in created.body.decode()

    assert function.elevenlabs_tool_id in server.tools
    agent.refresh_from_db()
    assert agent.sync_status == "synced"
    agent_body = server.last_request(None, "/v1/convai/agents").json
    assert agent_body["conversation_config"]["agent"]["prompt"]["tool_ids"] == [
        function.elevenlabs_tool_id
    ]


def test_editing_a_function_updates_its_tool(staff_client, live_provider_settings):
    server = live_provider_settings
    agent = make_agent()
    staff_client.post(reverse("functions:create", args=[agent.id]), _form_data())
    function = CustomFunction.objects.get()

    staff_client.post(
        reverse("functions:edit", args=[function.id]),
        _form_data(description="Look up a listing.", bearer_token=""),
    )

    [update] = server.requests_to("PATCH", f"/v1/convai/tools/{function.elevenlabs_tool_id}")
    assert update.json["tool_config"]["description"] == "Look up a listing."


def test_disabling_a_function_deletes_its_tool_and_detaches_it(
    staff_client, live_provider_settings
):
    server = live_provider_settings
    agent = make_agent()
    staff_client.post(reverse("functions:create", args=[agent.id]), _form_data())
    function = CustomFunction.objects.get()
    tool_id = function.elevenlabs_tool_id

    staff_client.post(reverse("functions:toggle", args=[function.id]))

    assert server.requests_to("DELETE", f"/v1/convai/tools/{tool_id}")
    assert tool_id not in server.tools
    function.refresh_from_db()
    assert function.elevenlabs_tool_id == "" and not function.enabled
    agent_body = server.last_request("PATCH", "/v1/convai/agents").json
    assert agent_body["conversation_config"]["agent"]["prompt"]["tool_ids"] == []

    staff_client.post(reverse("functions:toggle", args=[function.id]))  # enabled again
    function.refresh_from_db()
    assert function.elevenlabs_tool_id in server.tools


def test_deleting_a_function_deletes_its_tool(staff_client, live_provider_settings):
    server = live_provider_settings
    agent = make_agent()
    staff_client.post(reverse("functions:create", args=[agent.id]), _form_data())
    tool_id = CustomFunction.objects.get().elevenlabs_tool_id

    staff_client.post(reverse("functions:delete", args=[CustomFunction.objects.get().id]))

    assert server.requests_to("DELETE", f"/v1/convai/tools/{tool_id}")
    assert server.tools == {}


def test_a_provider_error_is_shown_and_the_local_change_kept(staff_client, live_provider_settings):
    server = live_provider_settings
    agent = make_agent()
    server.fail_next("POST", "/v1/convai/tools", 400, message="Tool name is reserved.")

    response = staff_client.post(
        reverse("functions:create", args=[agent.id]), _form_data(), follow=True
    )

    function = CustomFunction.objects.get()
    assert function.elevenlabs_tool_id == ""
    page = response.content.decode()
    assert "Tool name is reserved." in page
    assert "Not at ElevenLabs" in page  # the list shows the function is not synced


def test_a_tool_deleted_at_elevenlabs_by_hand_is_created_again(
    staff_client, live_provider_settings
):
    server = live_provider_settings
    agent = make_agent()
    staff_client.post(reverse("functions:create", args=[agent.id]), _form_data())
    function = CustomFunction.objects.get()
    server.tools.clear()

    staff_client.post(reverse("functions:edit", args=[function.id]), _form_data(bearer_token=""))

    function.refresh_from_db()
    assert function.elevenlabs_tool_id in server.tools
