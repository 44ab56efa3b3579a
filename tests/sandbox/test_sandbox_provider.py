"""The sandbox provider: fake ids, an SMS outbox, and simulated calls that end with a signed
post-call webhook POSTed over HTTP (here to a capture server standing in for Voqo)."""

import time

import pytest

from sandbox.models import SandboxConversation, SandboxMessage
from sandbox.provider import (
    SILENT_MP3,
    SandboxProvider,
    finish_conversation,
    simulate_inbound_call,
)
from tests.factories import make_agent
from voqo.providers import AgentSpec, ProviderNotFound, ToolSpec, get_provider
from voqo.providers.elevenlabs_webhooks import parse_event, signature_problem

pytestmark = pytest.mark.django_db


def dial(provider, agent, *, to="+61412345678", **variables):
    return provider.start_outbound_call(
        agent_id=agent.elevenlabs_agent_id,
        to_number=to,
        dynamic_variables={
            "caller_name": "Priya",
            "agency_name": "Harbour Realty",
            "agent_name": agent.name,
            **variables,
        },
    )


def test_get_provider_is_the_sandbox_without_keys():
    assert isinstance(get_provider(), SandboxProvider)


def test_agents_and_tools_get_sandbox_ids_and_never_touch_the_network():
    provider = SandboxProvider()
    agent_id = provider.create_agent(AgentSpec(name="Lisa", prompt="p", first_message="Hi"))
    tool_id = provider.create_tool(ToolSpec(name="t", description="d", url="https://x.example"))

    assert agent_id.startswith("agent_sbx_") and len(agent_id) > len("agent_sbx_") + 8
    assert tool_id.startswith("tool_sbx_")
    provider.update_agent(agent_id, AgentSpec(name="Lisa", prompt="p2", first_message="Hi"))
    provider.delete_agent(agent_id)
    provider.delete_tool(tool_id)


def test_sms_go_to_the_outbox():
    sent = SandboxProvider().send_sms(
        to="+61412345678", body="Thanks for calling!", status_callback=None
    )

    message = SandboxMessage.objects.get()
    assert sent.sid == message.sid and sent.sid.startswith("SMsbx")
    assert sent.status == "delivered"
    assert (message.to_phone, message.from_phone, message.body) == (
        "+61412345678",
        "+61280001234",
        "Thanks for calling!",
    )


def test_an_outbound_call_returns_at_once_then_posts_a_signed_transcription(
    capture, settings, django_capture_on_commit_callbacks
):
    settings.SANDBOX_FAILURE_RATE = 0
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_lisa")

    with django_capture_on_commit_callbacks(execute=True):
        started = dial(
            SandboxProvider(), agent, caller_context="Known facts:\n- Budget around $1.8M"
        )
        assert capture.requests == []  # nothing has "happened" yet when the id comes back

    assert started.conversation_id.startswith("conv_sbx_") and started.call_sid.startswith("CAsbx")
    [delivery] = capture.to("/webhooks/elevenlabs/post-call")
    assert delivery.headers["content-type"] == "application/json"
    # Verified by the webhook's own verifier, the pair of the signer the sandbox uses.
    assert (
        signature_problem(
            delivery.headers["elevenlabs-signature"], delivery.body, "whsec_test", time.time()
        )
        == ""
    )
    event = delivery.json()
    data = event["data"]
    assert event["type"] == "post_call_transcription"
    assert data["conversation_id"] == started.conversation_id
    assert data["agent_id"] == "agent_sbx_lisa"
    assert data["status"] == "done"
    phone_call = data["metadata"]["phone_call"]
    assert phone_call["direction"] == "outbound" and phone_call["external_number"] == "+61412345678"
    assert phone_call["agent_number"] == "+61280001234" and phone_call["call_result"] == "answered"
    assert data["metadata"]["call_duration_secs"] > data["transcript"][-1]["time_in_call_secs"]
    assert data["transcript"][0] == {
        "role": "agent",
        "message": "Hi Priya, it's Lisa from Harbour Realty. Is now a good time?",
        "time_in_call_secs": 0,
        "tool_calls": [],
        "tool_results": [],
        "interrupted": False,
    }
    assert "budget around $1.8M" in " ".join(turn["message"] for turn in data["transcript"])
    collected = data["analysis"]["data_collection_results"]
    assert collected["caller_name"]["value"] == "Priya"
    assert collected["caller_memories"]["value"].strip()
    assert data["analysis"]["call_successful"] in ("success", "failure")
    assert data["analysis"]["transcript_summary"].startswith("Priya ")
    assert (
        data["conversation_initiation_client_data"]["dynamic_variables"]["caller_name"] == "Priya"
    )

    conversation = SandboxConversation.objects.get(conversation_id=started.conversation_id)
    assert conversation.delivery_status == 200
    assert SandboxProvider().get_conversation(started.conversation_id) == parse_event(event)
    assert SandboxProvider().get_conversation_audio(started.conversation_id) == SILENT_MP3


def test_the_first_message_override_is_what_the_agent_says_first(
    capture, settings, django_capture_on_commit_callbacks
):
    settings.SANDBOX_FAILURE_RATE = 0
    agent = make_agent(elevenlabs_agent_id="agent_sbx_1")
    with django_capture_on_commit_callbacks(execute=True):
        SandboxProvider().start_outbound_call(
            agent_id="agent_sbx_1",
            to_number="+61412345678",
            dynamic_variables={"caller_name": "Priya"},
            first_message="Hello {{caller_name}}!",
        )
    data = capture.requests[0].json()["data"]
    assert data["transcript"][0]["message"] == "Hello Priya!"
    assert data["conversation_initiation_client_data"]["conversation_config_override"] == {
        "agent": {"first_message": "Hello {{caller_name}}!"}
    }
    assert agent


def test_unanswered_calls_end_with_an_initiation_failure_event(
    capture, settings, django_capture_on_commit_callbacks
):
    settings.SANDBOX_FAILURE_RATE = 1
    agent = make_agent(elevenlabs_agent_id="agent_sbx_1")

    with django_capture_on_commit_callbacks(execute=True):
        started = dial(SandboxProvider(), agent, to="+61412000111")

    event = capture.requests[0].json()
    assert event["type"] == "call_initiation_failure"
    assert event["data"]["conversation_id"] == started.conversation_id
    assert event["data"]["failure_reason"] in ("no-answer", "busy")
    body = event["data"]["metadata"]["body"]
    assert body["To"] == "+61412000111" and body["CallStatus"] in ("no-answer", "busy")
    conversation = SandboxProvider().get_conversation(started.conversation_id)
    assert conversation.status == "failed" and conversation.is_over
    assert conversation.failure_reason == event["data"]["failure_reason"]


def test_a_conversation_still_ringing_reads_as_in_progress(django_capture_on_commit_callbacks):
    agent = make_agent(elevenlabs_agent_id="agent_sbx_1")
    started = dial(SandboxProvider(), agent)  # on_commit never fires inside the test transaction

    conversation = SandboxProvider().get_conversation(started.conversation_id)
    assert conversation.status == "in-progress" and conversation.in_progress


def test_unknown_conversations_are_not_found():
    with pytest.raises(ProviderNotFound):
        SandboxProvider().get_conversation("conv_nope")
    with pytest.raises(ProviderNotFound):
        SandboxProvider().get_conversation_audio("conv_nope")


def test_a_delivered_conversation_is_not_sent_twice(
    capture, settings, django_capture_on_commit_callbacks
):
    agent = make_agent(elevenlabs_agent_id="agent_sbx_1")
    with django_capture_on_commit_callbacks(execute=True):
        started = dial(SandboxProvider(), agent)

    finish_conversation(started.conversation_id)

    assert len(capture.requests) == 1


def test_an_unreachable_voqo_is_recorded_not_raised_and_a_rerun_delivers(
    settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    agent = make_agent(elevenlabs_agent_id="agent_sbx_1")
    with django_capture_on_commit_callbacks(execute=True):
        started = dial(SandboxProvider(), agent)
    conversation = SandboxConversation.objects.get(conversation_id=started.conversation_id)
    assert conversation.delivery_status == 0 and conversation.payload is not None
    first_payload = conversation.payload

    from tests.sandbox.capture import CaptureServer

    with CaptureServer() as server:
        settings.PUBLIC_BASE_URL = server.url
        finish_conversation(started.conversation_id)
    assert server.requests[0].json() == first_payload


def test_a_simulated_inbound_call_asks_the_initiation_webhook_first(
    settings, django_capture_on_commit_callbacks
):
    from tests.sandbox.capture import CaptureServer

    make_agent(
        name="Max",
        template="property_manager",
        elevenlabs_agent_id="agent_sbx_max",
        greeting_message="Hi {{caller_name}}, property management at {{agency_name}}.",
    )
    answer = {
        "type": "conversation_initiation_client_data",
        "dynamic_variables": {
            "caller_name": "Priya",
            "agency_name": "Harbour Realty",
            "caller_context": "Known facts:\n- Tenant at 12 Ocean Street",
        },
        "conversation_config_override": {"agent": {"first_message": "Welcome back, Priya!"}},
    }
    with CaptureServer(initiation_answer=answer) as server:
        settings.PUBLIC_BASE_URL = server.url
        with django_capture_on_commit_callbacks(execute=True):
            conversation_id = simulate_inbound_call(
                agent_id="agent_sbx_max", from_number="+61412345678"
            )

    [initiation] = server.to("/webhooks/elevenlabs/initiation")
    assert initiation.headers["authorization"] == "Bearer init-token-test"
    assert initiation.json() == {
        "caller_id": "+61412345678",
        "agent_id": "agent_sbx_max",
        "called_number": "+61280001234",
        "call_sid": initiation.json()["call_sid"],
    }
    event = server.to("/webhooks/elevenlabs/post-call")[0].json()
    data = event["data"]
    assert event["type"] == "post_call_transcription"
    assert data["conversation_id"] == conversation_id
    assert data["metadata"]["phone_call"]["direction"] == "inbound"
    assert data["transcript"][0]["message"] == "Welcome back, Priya!"
    assert "tenant at 12 Ocean Street" in data["transcript"][2]["message"]
    assert "Tenant at" in data["analysis"]["data_collection_results"]["caller_memories"]["value"]


def test_an_inbound_call_goes_ahead_with_placeholders_when_the_initiation_webhook_fails(
    capture, django_capture_on_commit_callbacks
):
    make_agent(
        template="custom",
        elevenlabs_agent_id="agent_sbx_1",
        greeting_message="Hi {{caller_name}}, thanks for calling {{agency_name}}.",
    )
    capture.status = 500  # post-call answers 500 too; the initiation has no JSON answer
    with django_capture_on_commit_callbacks(execute=True):
        simulate_inbound_call(agent_id="agent_sbx_1", from_number="+61412345678")

    data = capture.to("/post-call")[0].json()["data"]
    assert data["transcript"][0]["message"] == "Hi there, thanks for calling the agency."
    assert (
        data["conversation_initiation_client_data"]["dynamic_variables"]["caller_phone"]
        == "+61412345678"
    )
    assert SandboxConversation.objects.get().delivery_status == 500
