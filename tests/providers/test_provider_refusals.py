"""What the real APIs refuse, the fake refuses too, and our provider says so in our words.

The fake provider checks every ElevenLabs request body against the official OpenAPI and
answers FastAPI's 422 (`{"detail": [{"loc", "msg", "type"}]}`); Twilio's Messages create
call is checked for its required form parameters and answers Twilio's error JSON.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fakeprovider import DEFAULT_ELEVENLABS_API_KEY, FakeProviderServer, openapi
from voqo.providers import AgentSpec, ProviderInvalidRequest, ToolSpec
from voqo.providers.live import LiveProvider

AGENTS = "/v1/convai/agents"
TOOLS = "/v1/convai/tools"
OUTBOUND = "/v1/convai/twilio/outbound-call"


def make_tool_spec(**overrides) -> ToolSpec:
    values = {
        "name": "check_property",
        "description": "Look up a listing by address.",
        "url": "https://voqo.example/functions/7/invoke",
        "request_headers": {"X-Voqo-Function-Token": "fn-secret"},
        "body_schema": {
            "type": "object",
            "description": "The listing to check.",
            "properties": {"address": {"type": "string", "description": "Street address"}},
            "required": ["address"],
        },
        "response_timeout_secs": 20,
    }
    return ToolSpec(**{**values, **overrides})


def make_agent_spec(**overrides) -> AgentSpec:
    values = {
        "name": "Lisa - Sales",
        "prompt": "You are Lisa at Harbour Realty.",
        "first_message": "Hi {{caller_name}}, thanks for calling.",
        "dynamic_variable_placeholders": {"caller_name": "there"},
    }
    return AgentSpec(**{**values, **overrides})


@pytest.fixture
def provider(live_provider_settings) -> LiveProvider:
    return LiveProvider(max_retries=0)


def el_request(fake_provider, method: str, path: str, **kwargs) -> httpx.Response:
    """A raw request to the fake ElevenLabs API, for shapes the SDK would never send."""
    headers = {"xi-api-key": DEFAULT_ELEVENLABS_API_KEY, **kwargs.pop("headers", {})}
    return httpx.request(method, fake_provider.url + path, headers=headers, **kwargs)


# -- ElevenLabs: one test per kind of refusal --------------------------------------------


def test_an_unknown_key_where_the_schema_forbids_extras_is_refused(provider, fake_provider):
    # ObjectJsonSchemaProperty has additionalProperties: false; ElevenLabs' subset of JSON
    # Schema has no additionalProperties of its own.
    schema = {**make_tool_spec().body_schema, "additionalProperties": False}

    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.create_tool(make_tool_spec(body_schema=schema))

    assert caught.value.status_code == 422
    assert caught.value.provider == "elevenlabs"
    assert str(caught.value) == (
        "tool_config.api_schema.request_body_schema.additionalProperties: "
        "Extra inputs are not permitted"
    )
    assert fake_provider.tools == {}


def test_a_value_of_the_wrong_type_is_refused(provider, fake_provider):
    # Dynamic variables are scalars: string, number, boolean or null.
    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.start_outbound_call(
            agent_id="agent_1",
            to_number="+61412345678",
            dynamic_variables={"listing": {"address": "12 Ocean Street"}},
        )

    assert caught.value.status_code == 422
    assert "conversation_initiation_client_data.dynamic_variables.listing" in str(caught.value)
    assert "Input should be a valid string" in str(caught.value)
    assert fake_provider.outbound_calls == []


def test_a_missing_required_field_is_refused(provider, fake_provider):
    # An array parameter needs `items` (ArrayJsonSchemaProperty requires it).
    schema = {
        "type": "object",
        "description": "Features to look for.",
        "properties": {"features": {"type": "array", "description": "Wanted features"}},
    }

    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.create_tool(make_tool_spec(body_schema=schema))

    assert str(caught.value) == (
        "tool_config.api_schema.request_body_schema.properties.features.items: Field required"
    )
    assert fake_provider.tools == {}


@pytest.mark.parametrize("seconds", [4, 121])
def test_a_tool_timeout_outside_the_apis_range_is_refused(provider, fake_provider, seconds):
    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.create_tool(make_tool_spec(response_timeout_secs=seconds))

    assert "tool_config.response_timeout_secs: Input should be" in str(caught.value)
    assert fake_provider.tools == {}


def test_a_tool_name_with_spaces_is_refused(provider):
    with pytest.raises(ProviderInvalidRequest, match="tool_config.name: String should match"):
        provider.create_tool(make_tool_spec(name="check property"))


def test_an_unknown_llm_is_refused_when_creating_an_agent(provider, fake_provider):
    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.create_agent(make_agent_spec(llm="gpt-imaginary"))

    assert str(caught.value).startswith("conversation_config.agent.prompt.llm: Input should be")
    assert fake_provider.agents == {}


def test_a_refused_agent_update_leaves_the_agent_as_it_was(provider, fake_provider):
    # The PATCH schema types the configs as bare objects; the merged agent must still be valid.
    agent_id = provider.create_agent(make_agent_spec())
    before = json.loads(json.dumps(fake_provider.agents[agent_id]))

    with pytest.raises(ProviderInvalidRequest, match="conversation_config.agent.prompt.llm"):
        provider.update_agent(agent_id, make_agent_spec(name="Renamed", llm="gpt-imaginary"))

    assert fake_provider.agents[agent_id] == before


def test_an_update_to_a_valid_tool_config_still_goes_through(provider, fake_provider):
    tool_id = provider.create_tool(make_tool_spec())

    provider.update_tool(tool_id, make_tool_spec(response_timeout_secs=120))

    assert fake_provider.tools[tool_id]["tool_config"]["response_timeout_secs"] == 120


# -- ElevenLabs: the wire itself -------------------------------------------------------


def test_a_refusal_has_the_documented_validation_error_shape(fake_provider):
    response = el_request(fake_provider, "POST", TOOLS, json={"tool_config": {"type": "nope"}})

    assert response.status_code == 422
    assert openapi.response_errors("POST", TOOLS, 422, response.json()) == []
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "tool_config"],
                "msg": "Input tag 'nope' found using 'type' does not match any of the "
                "expected tags: 'client', 'mcp', 'system', 'webhook'",
                "type": "union_tag_invalid",
            }
        ]
    }


def test_every_missing_field_is_listed(fake_provider):
    response = el_request(fake_provider, "POST", OUTBOUND, json={"agent_id": "agent_1"})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "agent_phone_number_id"], "msg": "Field required", "type": "missing"},
        {"loc": ["body", "to_number"], "msg": "Field required", "type": "missing"},
    ]


def test_a_missing_or_unreadable_body_is_refused(fake_provider):
    empty = el_request(fake_provider, "POST", f"{AGENTS}/create")
    broken = el_request(
        fake_provider,
        "POST",
        f"{AGENTS}/create",
        content=b'{"name": ',
        headers={"Content-Type": "application/json"},
    )

    assert empty.status_code == 422
    assert empty.json()["detail"] == [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["type"] == "json_invalid"
    assert fake_provider.agents == {}


def test_unknown_paths_answer_404_and_undocumented_methods_405(fake_provider):
    unknown = el_request(fake_provider, "GET", "/v1/convai/no-such-thing")
    wrong_method = el_request(fake_provider, "PUT", TOOLS, json={})

    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Not Found"}
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}
    assert wrong_method.headers["Allow"] == "GET, POST"


def test_a_documented_path_the_fake_does_not_serve_says_so(fake_provider):
    response = el_request(fake_provider, "GET", "/v1/voices/settings/default")

    assert response.status_code == 404
    assert "does not implement" in response.json()["detail"]["message"]


def test_without_the_openapi_document_the_fake_does_not_start(monkeypatch, tmp_path):
    openapi.load_document.cache_clear()
    monkeypatch.setattr(openapi, "OPENAPI_PATH", tmp_path / "missing.json")
    try:
        with pytest.raises(
            openapi.OpenAPIMissing, match="ElevenLabs OpenAPI was not found at .*missing.json"
        ):
            FakeProviderServer().start()
    finally:
        openapi.load_document.cache_clear()


# -- Twilio ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "body", "code"),
    [
        ("", "Thanks for calling.", "21604"),  # To is required
        ("0412 345 678", "Thanks for calling.", "21211"),  # To must be E.164
        ("+61412345678", "", "21602"),  # Body is required
        ("+61412345678", "x" * 1601, "21617"),  # Body is at most 1,600 characters
    ],
)
def test_twilio_refuses_a_message_without_its_required_params(
    provider, fake_provider, to, body, code
):
    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.send_sms(to=to, body=body, status_callback=None)

    assert caught.value.provider == "twilio"
    assert caught.value.status_code == 400
    assert caught.value.code == code
    assert fake_provider.messages == {}


def test_twilio_refuses_a_message_without_a_sender(live_provider_settings, fake_provider, settings):
    settings.TWILIO_PHONE_NUMBER = ""

    with pytest.raises(ProviderInvalidRequest) as caught:
        LiveProvider().send_sms(to="+61412345678", body="Hi", status_callback=None)

    assert caught.value.code == "21603"
    assert str(caught.value) == "A 'From' phone number is required."


def test_twilio_error_bodies_have_twilios_shape(fake_provider):
    response = httpx.post(
        f"{fake_provider.url}/2010-04-01/Accounts/{fake_provider.twilio_account_sid}/Messages.json",
        auth=(fake_provider.twilio_account_sid, fake_provider.twilio_auth_token),
        json={"To": "+61412345678", "From": "+61280001234", "Body": "Hi"},  # not a form
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": 21604,
        "message": "A 'To' phone number is required.",
        "more_info": "https://www.twilio.com/docs/errors/21604",
        "status": 400,
    }
