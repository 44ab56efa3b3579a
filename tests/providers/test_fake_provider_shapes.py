"""The fake provider answers in the documented shapes, and our payload fixtures match them.

ElevenLabs' SDK parses responses without validating them, so a fake that leaves out a
field would let code relying on it pass here and fail in production: every answer the
fake gives is checked against the response schema of the official OpenAPI.
"""

from __future__ import annotations

import httpx
import pytest

from tests.fakeprovider import DEFAULT_ELEVENLABS_API_KEY, load_payload, openapi, payload_names
from voqo.providers import AgentSpec, ToolSpec
from voqo.providers.live import LiveProvider

TRANSCRIPTIONS = [name for name in payload_names() if name.startswith("post_call_transcription")]


@pytest.fixture
def provider(live_provider_settings) -> LiveProvider:
    return LiveProvider(max_retries=0)


def assert_documented(fake_provider, method: str, path: str, **kwargs) -> dict:
    response = httpx.request(
        method,
        fake_provider.url + path,
        headers={"xi-api-key": DEFAULT_ELEVENLABS_API_KEY},
        **kwargs,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert openapi.response_errors(method, path, response.status_code, body) == []
    return body


def test_every_answer_of_the_fake_has_the_documented_shape(provider, fake_provider):
    agent_id = provider.create_agent(
        AgentSpec(name="Lisa", prompt="You are Lisa.", first_message="Hi", voice_id="v1")
    )
    tool_id = provider.create_tool(
        ToolSpec(name="check_property", description="Look up a listing.", url="https://x.test/")
    )
    call = provider.start_outbound_call(
        agent_id=agent_id, to_number="+61412345678", dynamic_variables={"caller_name": "Jo"}
    )
    fake_provider.add_conversation(load_payload("post_call_transcription__inbound"))

    assert_documented(fake_provider, "GET", f"/v1/convai/agents/{agent_id}")
    assert_documented(fake_provider, "GET", "/v1/convai/agents")
    assert_documented(fake_provider, "PATCH", f"/v1/convai/agents/{agent_id}", json={"name": "L"})
    assert_documented(fake_provider, "GET", f"/v1/convai/tools/{tool_id}")
    assert_documented(fake_provider, "GET", "/v1/convai/tools")
    assert_documented(fake_provider, "GET", f"/v1/convai/conversations/{call.conversation_id}")
    assert_documented(fake_provider, "GET", "/v1/convai/conversations/conv_0101k3example")
    assert_documented(fake_provider, "GET", "/v1/convai/conversations")
    assert_documented(fake_provider, "DELETE", f"/v1/convai/tools/{tool_id}")
    assert_documented(
        fake_provider,
        "POST",
        "/v1/convai/twilio/outbound-call",
        json={"agent_id": agent_id, "agent_phone_number_id": "phnum_1", "to_number": "+6140"},
    )


def test_a_started_call_has_a_conversation_like_the_real_one(provider, fake_provider):
    call = provider.start_outbound_call(
        agent_id="agent_1", to_number="+61412345678", dynamic_variables={"caller_name": "Jo"}
    )

    conversation = assert_documented(
        fake_provider, "GET", f"/v1/convai/conversations/{call.conversation_id}"
    )

    assert conversation["has_audio"] is False
    assert conversation["has_user_audio"] is False
    assert conversation["has_response_audio"] is False
    assert conversation["metadata"]["phone_call"]["agent_number"] == "+61280001234"
    client_data = conversation["conversation_initiation_client_data"]
    assert client_data["source_info"] == {"source": "twilio", "version": None}


@pytest.mark.parametrize("name", TRANSCRIPTIONS)
def test_transcription_fixtures_carry_a_documented_conversation(name):
    # The webhook's `data` has the shape of GET /v1/convai/conversations/{id}.
    data = load_payload(name)["data"]

    assert openapi.component_errors("GetConversationResponseModel", data, location="data") == []
    assert {"has_audio", "has_user_audio", "has_response_audio"} <= set(data)
    assert "source_info" in data["conversation_initiation_client_data"]


def test_the_fake_refuses_to_serve_a_conversation_the_api_would_never_send(fake_provider):
    data = load_payload("post_call_transcription__inbound")["data"]
    del data["has_audio"]
    data["metadata"]["call_duration_secs"] = "145"

    with pytest.raises(ValueError) as caught:
        fake_provider.add_conversation(data)

    assert str(caught.value) == (
        "Not a conversation as ElevenLabs documents it: "
        "conversation.has_audio: Field required; "
        "conversation.metadata.call_duration_secs: Input should be a valid integer"
    )
    assert fake_provider.conversations == {}


def test_phone_number_and_voice_answers_have_the_documented_shape(provider, fake_provider):
    from voqo.providers import AgentBehaviour, TwilioNumberRegistration

    agent_id = provider.create_agent(
        AgentSpec(
            name="Lisa",
            prompt="You are Lisa.",
            first_message="Hi",
            behaviour=AgentBehaviour(
                transfer_number="+61412000111", voicemail_detection=True, keywords=("Bondi",)
            ),
        )
    )
    number_id = provider.register_phone_number(
        TwilioNumberRegistration(
            number="+61280005555", label="Sales", account_sid="AC" + "1" * 32, auth_token="t"
        )
    )
    fake_provider.add_voice("voice_1", "Matilda")

    assert_documented(fake_provider, "GET", f"/v1/convai/agents/{agent_id}")
    assert_documented(fake_provider, "GET", f"/v1/convai/phone-numbers/{number_id}")
    assert_documented(fake_provider, "GET", "/v1/convai/phone-numbers")
    assert_documented(
        fake_provider, "PATCH", f"/v1/convai/phone-numbers/{number_id}", json={"agent_id": agent_id}
    )
    assert_documented(fake_provider, "GET", "/v1/voices")
    assert_documented(fake_provider, "DELETE", f"/v1/convai/phone-numbers/{number_id}")
    assert [voice.name for voice in provider.list_voices()] == ["Matilda"]


def test_the_fake_refuses_a_phone_number_body_the_api_would_refuse(fake_provider):
    response = httpx.post(
        fake_provider.url + "/v1/convai/phone-numbers",
        headers={"xi-api-key": DEFAULT_ELEVENLABS_API_KEY},
        json={"phone_number": "+61280005555", "provider": "twilio"},
    )
    assert response.status_code == 422
