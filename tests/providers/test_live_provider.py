"""LiveProvider end to end: the official SDKs against the fake provider server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from tests.fakeprovider import (
    FAKE_MP3,
    elevenlabs_signature,
    load_payload,
    payload_names,
    twilio_signature,
)
from voqo.providers import (
    DEFAULT_DATA_COLLECTION,
    AgentSpec,
    OutboundCall,
    ProviderAuthError,
    ProviderError,
    ProviderInvalidRequest,
    ProviderNotFound,
    ProviderRetryableError,
    SentSms,
    ToolSpec,
    get_provider,
)
from voqo.providers.elevenlabs_webhooks import parse_event
from voqo.providers.live import LiveProvider

AGENTS = "/v1/convai/agents"
TOOLS = "/v1/convai/tools"
OUTBOUND = "/v1/convai/twilio/outbound-call"
CONVERSATIONS = "/v1/convai/conversations"
MESSAGES = "/2010-04-01/Accounts/"


def make_agent_spec(**overrides) -> AgentSpec:
    values = {
        "name": "Lisa - Sales",
        "prompt": "You are {{agent_name}} at {{agency_name}}. {{caller_context}}",
        "first_message": "Hi {{caller_name}}, thanks for calling {{agency_name}}.",
        "voice_id": "21m00Tcm4TlvDq8ikWAM",
        "dynamic_variable_placeholders": {"caller_name": "there", "caller_context": ""},
        "tool_ids": ["tool_abc"],
    }
    return AgentSpec(**{**values, **overrides})


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
        "response_timeout_secs": 15,
    }
    return ToolSpec(**{**values, **overrides})


@pytest.fixture
def provider(live_provider_settings) -> LiveProvider:
    # No SDK retries, so an injected error is seen once and at once.
    return LiveProvider(max_retries=0)


# -- selection ----------------------------------------------------------------------


def test_get_provider_builds_a_live_provider_for_the_current_settings(
    live_provider_settings, settings
):
    first = get_provider()
    assert isinstance(first, LiveProvider)
    assert get_provider() is first
    settings.ELEVENLABS_PHONE_NUMBER_ID = "phnum_other"
    assert get_provider() is not first
    assert get_provider().phone_number_id == "phnum_other"


# -- agents -------------------------------------------------------------------------


def test_create_agent_sends_the_full_configuration(provider, fake_provider):
    agent_id = provider.create_agent(make_agent_spec())

    assert agent_id.startswith("agent_")
    request = fake_provider.last_request("POST", f"{AGENTS}/create")
    assert request.header("xi-api-key") == "test-el-key"
    body = request.json
    assert body["name"] == "Lisa - Sales"
    agent = body["conversation_config"]["agent"]
    assert agent["first_message"] == "Hi {{caller_name}}, thanks for calling {{agency_name}}."
    assert agent["language"] == "en"
    assert (
        agent["prompt"]["prompt"] == "You are {{agent_name}} at {{agency_name}}. {{caller_context}}"
    )
    assert agent["prompt"]["llm"] == "gpt-4o-mini"
    assert agent["prompt"]["temperature"] == 0.5
    assert agent["prompt"]["tool_ids"] == ["tool_abc"]
    assert agent["prompt"]["built_in_tools"]["end_call"] == {
        "type": "system",
        "name": "end_call",
        "description": "",
        "params": {"system_tool_type": "end_call"},
    }
    assert "tools" not in agent["prompt"]  # rejected by the API since 2025-07
    assert agent["dynamic_variables"] == {
        "dynamic_variable_placeholders": {"caller_name": "there", "caller_context": ""}
    }
    assert body["conversation_config"]["tts"] == {"voice_id": "21m00Tcm4TlvDq8ikWAM"}
    platform = body["platform_settings"]
    assert platform["data_collection"] == DEFAULT_DATA_COLLECTION
    assert set(platform["data_collection"]) == {"caller_name", "caller_memories", "do_not_call"}
    assert platform["overrides"]["conversation_config_override"] == {
        "agent": {"first_message": True, "prompt": {"prompt": False}},
        "tts": {"voice_id": True},  # a caller's own voice, per conversation (voices)
    }
    assert platform["overrides"]["enable_conversation_initiation_client_data_from_webhook"] is True


def test_create_agent_without_voice_leaves_tts_to_the_provider(provider, fake_provider):
    provider.create_agent(make_agent_spec(voice_id=""))

    body = fake_provider.last_request("POST", f"{AGENTS}/create").json
    assert "tts" not in body["conversation_config"]


def test_custom_data_collection_replaces_the_default(provider, fake_provider):
    items = {"budget": {"type": "integer", "description": "Budget in dollars."}}
    provider.create_agent(make_agent_spec(data_collection=items))

    body = fake_provider.last_request("POST", f"{AGENTS}/create").json
    assert body["platform_settings"]["data_collection"] == items


def test_update_agent_patches_the_new_values(provider, fake_provider):
    agent_id = provider.create_agent(make_agent_spec())

    provider.update_agent(
        agent_id,
        make_agent_spec(name="Lisa - Rentals", prompt="New prompt", tool_ids=["tool_new"]),
    )

    request = fake_provider.last_request("PATCH", f"{AGENTS}/{agent_id}")
    assert request.json["name"] == "Lisa - Rentals"
    assert request.json["conversation_config"]["agent"]["prompt"]["prompt"] == "New prompt"
    assert request.json["conversation_config"]["agent"]["prompt"]["tool_ids"] == ["tool_new"]
    stored = fake_provider.agents[agent_id]
    assert stored["name"] == "Lisa - Rentals"
    assert stored["conversation_config"]["agent"]["prompt"]["tool_ids"] == ["tool_new"]


def test_delete_agent_removes_it_and_tolerates_a_second_delete(provider, fake_provider):
    agent_id = provider.create_agent(make_agent_spec())

    provider.delete_agent(agent_id)
    provider.delete_agent(agent_id)

    assert agent_id not in fake_provider.agents
    assert len(fake_provider.requests_to("DELETE", f"{AGENTS}/{agent_id}")) == 2


def test_updating_an_unknown_agent_raises_not_found(provider):
    with pytest.raises(ProviderNotFound) as caught:
        provider.update_agent("agent_missing", make_agent_spec())

    assert caught.value.status_code == 404
    assert caught.value.provider == "elevenlabs"
    assert "agent_missing" in str(caught.value)


# -- tools --------------------------------------------------------------------------


def test_create_tool_sends_a_webhook_tool_config(provider, fake_provider):
    tool_id = provider.create_tool(make_tool_spec())

    assert tool_id.startswith("tool_")
    body = fake_provider.last_request("POST", TOOLS).json
    assert body == {
        "tool_config": {
            "type": "webhook",
            "name": "check_property",
            "description": "Look up a listing by address.",
            "response_timeout_secs": 15,
            "api_schema": {
                "url": "https://voqo.example/functions/7/invoke",
                "method": "POST",
                "request_headers": {"X-Voqo-Function-Token": "fn-secret"},
                "request_body_schema": {
                    "type": "object",
                    "description": "The listing to check.",
                    "properties": {"address": {"type": "string", "description": "Street address"}},
                    "required": ["address"],
                },
            },
        }
    }


def test_update_tool_patches_the_whole_config(provider, fake_provider):
    tool_id = provider.create_tool(make_tool_spec())

    provider.update_tool(
        tool_id, make_tool_spec(description="Check a listing.", response_timeout_secs=30)
    )

    request = fake_provider.last_request("PATCH", f"{TOOLS}/{tool_id}")
    assert request.json["tool_config"]["description"] == "Check a listing."
    assert request.json["tool_config"]["response_timeout_secs"] == 30
    assert fake_provider.tools[tool_id]["tool_config"]["description"] == "Check a listing."


def test_delete_tool_removes_it(provider, fake_provider):
    tool_id = provider.create_tool(make_tool_spec())

    provider.delete_tool(tool_id)
    provider.delete_tool(tool_id)  # already gone: still fine

    assert tool_id not in fake_provider.tools
    assert len(fake_provider.requests_to("DELETE", f"{TOOLS}/{tool_id}")) == 2


# -- outbound calls -----------------------------------------------------------------


def test_outbound_call_sends_dynamic_variables_in_client_data(provider, fake_provider):
    call = provider.start_outbound_call(
        agent_id="agent_1",
        to_number="+61412345678",
        dynamic_variables={"caller_name": "Priya", "caller_context": "Budget $1.8M"},
        first_message="Hi Priya, it's Lisa from Harbour Realty.",
    )

    assert isinstance(call, OutboundCall)
    assert call.conversation_id.startswith("conv_")
    assert call.call_sid.startswith("CA")
    body = fake_provider.last_request("POST", OUTBOUND).json
    assert body["agent_id"] == "agent_1"
    assert body["agent_phone_number_id"] == "phnum_test"
    assert body["to_number"] == "+61412345678"
    client_data = body["conversation_initiation_client_data"]
    assert client_data["dynamic_variables"] == {
        "caller_name": "Priya",
        "caller_context": "Budget $1.8M",
    }
    assert client_data["conversation_config_override"] == {
        "agent": {"first_message": "Hi Priya, it's Lisa from Harbour Realty."}
    }
    assert "custom_llm_extra_body" not in client_data
    assert "custom_llm_extra_body" not in body


def test_outbound_call_without_first_message_sends_no_override(provider, fake_provider):
    provider.start_outbound_call(agent_id="agent_1", to_number="+61412345678", dynamic_variables={})

    client_data = fake_provider.last_request("POST", OUTBOUND).json[
        "conversation_initiation_client_data"
    ]
    assert "conversation_config_override" not in client_data


def test_outbound_call_500_is_not_retried_by_the_sdk(live_provider_settings, fake_provider):
    # Even with SDK retries enabled for idempotent requests, a call is never re-sent.
    provider = LiveProvider(max_retries=2)
    fake_provider.fail_next("POST", OUTBOUND, 500, times=3)

    with pytest.raises(ProviderRetryableError) as caught:
        provider.start_outbound_call(
            agent_id="agent_1", to_number="+61412345678", dynamic_variables={}
        )

    assert len(fake_provider.requests_to("POST", OUTBOUND)) == 1
    assert caught.value.status_code == 500
    assert caught.value.outcome_unknown is True
    assert str(caught.value) == "An internal server error occurred."


def test_outbound_call_429_is_retryable_and_sent_once(live_provider_settings, fake_provider):
    provider = LiveProvider(max_retries=2)
    fake_provider.fail_next("POST", OUTBOUND, 429, times=3)

    with pytest.raises(ProviderRetryableError) as caught:
        provider.start_outbound_call(
            agent_id="agent_1", to_number="+61412345678", dynamic_variables={}
        )

    assert len(fake_provider.requests_to("POST", OUTBOUND)) == 1
    assert caught.value.code == "too_many_concurrent_requests"
    assert caught.value.outcome_unknown is False


def test_outbound_call_refused_with_success_false_is_an_invalid_request(provider, fake_provider):
    fake_provider.fail_next(
        "POST", OUTBOUND, 200, {"success": False, "message": "Phone number is not outbound capable"}
    )

    with pytest.raises(ProviderInvalidRequest, match="not outbound capable"):
        provider.start_outbound_call(
            agent_id="agent_1", to_number="+61412345678", dynamic_variables={}
        )


def test_outbound_call_422_is_an_invalid_request_with_the_field_named(provider, fake_provider):
    fake_provider.fail_next(
        "POST",
        OUTBOUND,
        422,
        {
            "detail": [
                {"loc": ["body", "to_number"], "msg": "Invalid phone number", "type": "value_error"}
            ]
        },
    )

    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.start_outbound_call(agent_id="agent_1", to_number="+6141", dynamic_variables={})

    assert caught.value.status_code == 422
    assert str(caught.value) == "to_number: Invalid phone number"


# -- errors -------------------------------------------------------------------------


def test_wrong_api_key_raises_auth_error_with_the_providers_message(
    live_provider_settings, settings
):
    settings.ELEVENLABS_API_KEY = "wrong-key"

    with pytest.raises(ProviderAuthError) as caught:
        get_provider().create_agent(make_agent_spec())

    assert str(caught.value) == "Invalid API key"
    assert caught.value.code == "invalid_api_key"
    assert caught.value.status_code == 401


def test_unknown_conversation_raises_not_found(provider):
    with pytest.raises(ProviderNotFound):
        provider.get_conversation("conv_missing")


def test_rate_limited_create_raises_retryable(provider, fake_provider):
    fake_provider.fail_next("POST", f"{AGENTS}/create", 429)

    with pytest.raises(ProviderRetryableError) as caught:
        provider.create_agent(make_agent_spec())

    assert caught.value.status_code == 429


def test_create_agent_is_sent_once_even_with_sdk_retries(live_provider_settings, fake_provider):
    fake_provider.fail_next("POST", f"{AGENTS}/create", 503, times=3)

    with pytest.raises(ProviderRetryableError):
        LiveProvider(max_retries=2).create_agent(make_agent_spec())

    assert len(fake_provider.requests_to("POST", f"{AGENTS}/create")) == 1


def test_idempotent_read_is_retried_by_the_sdk(live_provider_settings, fake_provider):
    fake_provider.add_conversation(load_payload("post_call_transcription__inbound"))
    fake_provider.fail_next("GET", CONVERSATIONS, 503, headers={"Retry-After": "1"})

    conversation = LiveProvider(max_retries=1).get_conversation("conv_0101k3example")

    assert conversation.conversation_id == "conv_0101k3example"
    assert len(fake_provider.requests_to("GET", CONVERSATIONS)) == 2


def test_unprocessable_tool_raises_invalid_request(provider, fake_provider):
    fake_provider.fail_next("POST", TOOLS, 422, message="response_timeout_secs must be <= 120")

    with pytest.raises(ProviderInvalidRequest, match="response_timeout_secs must be <= 120"):
        provider.create_tool(make_tool_spec())


def test_slow_response_beyond_the_timeout_is_retryable(live_provider_settings, fake_provider):
    fake_provider.set_latency(1.0, "GET", CONVERSATIONS)
    fake_provider.add_conversation(load_payload("post_call_transcription__inbound"))
    provider = LiveProvider(timeout=0.2, max_retries=0)

    started = time.monotonic()
    with pytest.raises(ProviderRetryableError) as caught:
        provider.get_conversation("conv_0101k3example")

    assert time.monotonic() - started < 0.9
    assert caught.value.outcome_unknown is True
    assert caught.value.provider == "elevenlabs"


def test_unreachable_provider_is_retryable(live_provider_settings, settings):
    settings.ELEVENLABS_BASE_URL = "http://127.0.0.1:9"  # discard port: connection refused

    with pytest.raises(ProviderRetryableError) as caught:
        get_provider().start_outbound_call(
            agent_id="a", to_number="+61412345678", dynamic_variables={}
        )

    assert caught.value.outcome_unknown is False


def test_provider_errors_share_one_base_class():
    for error_class in (
        ProviderAuthError,
        ProviderNotFound,
        ProviderRetryableError,
        ProviderInvalidRequest,
    ):
        assert issubclass(error_class, ProviderError)


# -- conversations ------------------------------------------------------------------


def test_get_conversation_is_parsed_like_its_webhook_event(provider, fake_provider):
    event = load_payload("post_call_transcription__inbound")
    event["data"]["some_future_field"] = {"nested": [1, 2]}
    fake_provider.add_conversation(event)

    conversation = provider.get_conversation("conv_0101k3example")

    assert conversation == parse_event(event)
    assert conversation.is_over and conversation.caller_name == "Priya"
    assert conversation.external_number == "+61412345678" and conversation.duration == 145


def test_conversation_of_a_started_call_can_be_looked_up(provider):
    call = provider.start_outbound_call(
        agent_id="agent_1", to_number="+61412345678", dynamic_variables={"caller_name": "Jo"}
    )

    conversation = provider.get_conversation(call.conversation_id)

    assert conversation.status == "initiated" and not conversation.is_over
    assert conversation.external_number == "+61412345678"
    assert conversation.dynamic_variables == {"caller_name": "Jo"}


def test_get_conversation_audio_returns_the_bytes(provider, fake_provider):
    fake_provider.add_conversation(load_payload("post_call_transcription__inbound"))
    audio = FAKE_MP3 * 40  # several SDK chunks
    fake_provider.add_audio("conv_0101k3example", audio)

    assert provider.get_conversation_audio("conv_0101k3example") == audio


def test_audio_of_an_unknown_conversation_raises_not_found(provider):
    with pytest.raises(ProviderNotFound):
        provider.get_conversation_audio("conv_missing")


# -- SMS ----------------------------------------------------------------------------


def test_send_sms_posts_the_form_with_basic_auth(provider, fake_provider):
    sent = provider.send_sms(
        to="+61412345678",
        body="Thanks for calling Harbour Realty",
        status_callback="http://testserver/webhooks/twilio/sms-status",
    )

    assert isinstance(sent, SentSms)
    assert sent.sid.startswith("SM") and len(sent.sid) == 34
    assert sent.status == "queued"
    request = fake_provider.last_request("POST", MESSAGES)
    assert request.path == f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
    assert request.form == {
        "To": "+61412345678",
        "From": "+61280001234",
        "Body": "Thanks for calling Harbour Realty",
        "StatusCallback": "http://testserver/webhooks/twilio/sms-status",
    }
    credentials = base64.b64encode(f"AC{'0' * 32}:test-twilio-token".encode()).decode()
    assert request.header("authorization") == f"Basic {credentials}"


def test_send_sms_without_status_callback_omits_it(provider, fake_provider):
    provider.send_sms(to="+61412345678", body="Hi", status_callback=None)

    assert "StatusCallback" not in fake_provider.last_request("POST", MESSAGES).form


def test_sms_to_an_opted_out_number_raises_invalid_request_with_code_21610(provider, fake_provider):
    fake_provider.opt_out("+61412345678")

    with pytest.raises(ProviderInvalidRequest) as caught:
        provider.send_sms(to="+61412345678", body="Hi", status_callback=None)

    assert caught.value.code == "21610"
    assert caught.value.provider == "twilio"
    assert caught.value.status_code == 400
    assert str(caught.value) == "Attempt to send to unsubscribed recipient"


def test_twilio_500_is_retryable(provider, fake_provider):
    fake_provider.fail_next("POST", MESSAGES, 500)

    with pytest.raises(ProviderRetryableError) as caught:
        provider.send_sms(to="+61412345678", body="Hi", status_callback=None)

    assert caught.value.status_code == 500
    assert len(fake_provider.requests_to("POST", MESSAGES)) == 1


def test_twilio_rfc9457_error_is_translated_too(provider, fake_provider):
    fake_provider.fail_next(
        "POST",
        MESSAGES,
        429,
        {
            "type": "https://www.twilio.com/docs/errors/20429",
            "title": "Too Many Requests",
            "status": 429,
            "code": 20429,
            "detail": "Rate limit exceeded",
        },
    )

    with pytest.raises(ProviderRetryableError) as caught:
        provider.send_sms(to="+61412345678", body="Hi", status_callback=None)

    assert caught.value.code == "20429"
    assert str(caught.value) == "Rate limit exceeded"


def test_wrong_twilio_token_raises_auth_error(live_provider_settings, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"

    with pytest.raises(ProviderAuthError) as caught:
        get_provider().send_sms(to="+61412345678", body="Hi", status_callback=None)

    assert caught.value.code == "20003"


def test_slow_twilio_beyond_the_timeout_is_retryable(live_provider_settings, fake_provider):
    fake_provider.latency = 1.0
    provider = LiveProvider(twilio_timeout=0.2)

    with pytest.raises(ProviderRetryableError) as caught:
        provider.send_sms(to="+61412345678", body="Hi", status_callback=None)

    assert caught.value.provider == "twilio"
    assert caught.value.outcome_unknown is True


# -- signing helpers and payloads ---------------------------------------------------


def test_elevenlabs_signature_passes_a_straightforward_hmac_check():
    body = json.dumps(load_payload("post_call_transcription__inbound")).encode()

    header = elevenlabs_signature(body, "whsec_test", timestamp=1763800000)

    parts = dict(part.split("=", 1) for part in header.split(","))
    assert parts["t"] == "1763800000"
    expected = hmac.new(b"whsec_test", b"1763800000." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v0"], expected)


def test_elevenlabs_signature_is_accepted_by_the_sdk():
    from elevenlabs import ElevenLabs

    body = json.dumps(load_payload("call_initiation_failure__busy")).encode()
    header = elevenlabs_signature(body, "whsec_test")

    event = ElevenLabs(api_key="x", base_url="http://127.0.0.1:9").webhooks.construct_event(
        body.decode(), header, "whsec_test"
    )

    assert event["data"]["failure_reason"] == "busy"


def test_twilio_signature_validates_with_the_request_validator():
    from twilio.request_validator import RequestValidator

    url = "http://testserver/webhooks/twilio/sms"
    params = {
        "From": "+61412345678",
        "To": "+61280001234",
        "Body": "STOP",
        "MessageSid": "SM" + "1" * 32,
    }

    signature = twilio_signature(url, params, "test-twilio-token")

    assert RequestValidator("test-twilio-token").validate(url, params, signature)


def test_every_payload_fixture_has_a_type_and_ids():
    names = payload_names()
    assert {
        "post_call_transcription__inbound",
        "post_call_transcription__outbound",
        "post_call_transcription__silent",
        "post_call_transcription__no_name",
        "call_initiation_failure__busy",
        "post_call_audio__small",
    } <= set(names)
    for name in names:
        event = load_payload(name)
        assert event["type"] == name.split("__")[0]
        assert event["data"]["conversation_id"].startswith("conv_")
        assert event["data"]["agent_id"].startswith("agent_")


def test_outbound_and_silent_payloads_mean_what_their_names_say():
    outbound = load_payload("post_call_transcription__outbound")["data"]
    assert outbound["metadata"]["phone_call"]["direction"] == "outbound"
    silent = load_payload("post_call_transcription__silent")["data"]
    assert not [turn for turn in silent["transcript"] if turn["role"] == "user"]
    no_name = load_payload("post_call_transcription__no_name")["data"]
    assert not no_name["analysis"]["data_collection_results"]["caller_name"]["value"]
    audio = load_payload("post_call_audio__small")["data"]
    assert base64.b64decode(audio["full_audio"]).startswith(b"ID3")


def test_sandbox_setting_selects_the_sandbox_provider(settings):
    sandbox = pytest.importorskip("sandbox.provider")
    settings.VOQO_PROVIDER = "sandbox"

    assert isinstance(get_provider(), sandbox.SandboxProvider)


def test_a_tool_header_can_carry_a_dynamic_variable(provider, fake_provider):
    provider.create_tool(
        make_tool_spec(dynamic_variable_headers={"X-Conversation-Id": "system__conversation_id"})
    )

    body = fake_provider.last_request("POST", TOOLS).json
    assert body["tool_config"]["api_schema"]["request_headers"] == {
        "X-Voqo-Function-Token": "fn-secret",
        "X-Conversation-Id": {"variable_name": "system__conversation_id"},
    }
