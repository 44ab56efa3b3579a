"""A single call whose result never arrives is reconciled with the provider after a limit."""

import copy
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from tests.calls.conftest import post_event, run_after_commit
from tests.factories import make_agent
from tests.fakeprovider import load_payload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("within_calling_hours", "numbers_washed"),
]
MESSAGES = "/2010-04-01/Accounts/"
CONVERSATIONS = "/v1/convai/conversations/"


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_8701k3example", sync_status="synced")


def call_number(staff_client, agent, phone="0412 345 678") -> Call:
    staff_client.post(reverse("contacts:call_number"), {"agent": agent.id, "phone": phone})
    return Call.objects.get()


def waited(call: Call, minutes: int) -> None:
    """The call was placed `minutes` ago (its webhook never came)."""
    Call.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def reconcile() -> str:
    out = StringIO()
    with run_after_commit():
        call_command("reconcile_calls", stdout=out)
    return out.getvalue()


def test_a_call_within_the_limit_is_left_waiting(staff_client, agent, provider):
    call = call_number(staff_client, agent)
    waited(call, 29)

    assert reconcile() == "0 call(s) reconciled.\n"

    call.refresh_from_db()
    assert call.status == "initiated"
    assert not provider.requests_to("GET", CONVERSATIONS)


def test_a_finished_conversation_is_fetched_and_runs_the_whole_pipeline(
    staff_client, agent, provider
):
    call = call_number(staff_client, agent)
    finished = load_payload("post_call_transcription__outbound")["data"]
    conversation = provider.conversations[call.elevenlabs_conversation_id]
    conversation.update(
        status="done",
        transcript=finished["transcript"],
        analysis=finished["analysis"],
        metadata={**conversation["metadata"], "call_duration_secs": 61},
    )
    conversation["metadata"]["phone_call"]["call_result"] = "answered"
    waited(call, 31)

    assert reconcile() == "1 call(s) reconciled.\n"

    call.refresh_from_db()
    assert call.status == "completed" and call.duration == 61
    assert call.summary == finished["analysis"]["transcript_summary"]
    assert call.sms_status == "sent" and provider.requests_to("POST", MESSAGES)
    assert "fetched it from the provider" in call.result_note
    page = staff_client.get(reverse("calls:detail", args=[call.id])).content.decode()
    assert "The result never arrived by webhook" in page


def test_a_conversation_the_provider_does_not_know_is_closed_with_the_reason(
    staff_client, agent, provider
):
    call = call_number(staff_client, agent)
    provider.conversations.pop(call.elevenlabs_conversation_id)
    waited(call, 45)

    reconcile()

    call.refresh_from_db()
    assert call.status == "failed"
    assert call.failure_reason == "The provider has no such conversation, so no result exists."
    assert call.sms_status == "skipped" and not provider.requests_to("POST", MESSAGES)
    page = staff_client.get(reverse("calls:detail", args=[call.id])).content.decode()
    assert "The provider has no such conversation" in page


def test_a_conversation_still_in_progress_waits_then_is_closed(staff_client, agent, provider):
    call = call_number(staff_client, agent)
    provider.conversations[call.elevenlabs_conversation_id]["status"] = "in-progress"
    waited(call, 60)

    reconcile()
    call.refresh_from_db()
    assert call.status == "initiated"

    waited(call, 121)
    reconcile()

    call.refresh_from_db()
    assert call.status == "unknown"
    assert call.failure_reason == "No result from the provider after 121 minutes."


def test_a_provider_that_cannot_be_asked_is_tried_again_later(staff_client, agent, provider):
    call = call_number(staff_client, agent)
    waited(call, 40)
    provider.fail_next("GET", CONVERSATIONS, 503, times=3)  # the SDK's own retries fail too

    reconcile()

    call.refresh_from_db()
    assert call.status == "initiated"
    reconcile()  # the provider answers now: the call has no result yet ("initiated")
    call.refresh_from_db()
    assert call.status == "unknown"
    assert call.failure_reason.startswith("No result from the provider after 40 minutes")


def test_a_call_the_provider_never_confirmed_is_closed_with_the_reason(
    staff_client, agent, provider
):
    provider.fail_next("POST", "/v1/convai/twilio/outbound-call", 504)
    call = call_number(staff_client, agent)
    assert call.status == "initiated" and not call.elevenlabs_conversation_id
    waited(call, 31)

    reconcile()

    call.refresh_from_db()
    assert call.status == "unknown"
    assert call.failure_reason.startswith(
        "Voqo never learned whether the provider placed this call"
    )


def test_the_worker_sweep_reconciles_waiting_calls(staff_client, agent, provider):
    from django_q.tasks import async_task

    call = call_number(staff_client, agent)
    provider.conversations.pop(call.elevenlabs_conversation_id)
    waited(call, 31)

    async_task("calls.tasks.sweep_post_call_work", sync=True)

    call.refresh_from_db()
    assert call.status == "failed"


def test_a_result_that_arrives_after_giving_up_replaces_unknown(
    client, staff_client, agent, provider
):
    call = call_number(staff_client, agent)
    provider.conversations[call.elevenlabs_conversation_id]["status"] = "in-progress"
    waited(call, 121)
    reconcile()
    call.refresh_from_db()
    assert call.status == "unknown"

    failure = copy.deepcopy(load_payload("call_initiation_failure__busy"))
    failure["data"]["conversation_id"] = call.elevenlabs_conversation_id
    post_event(client, failure)

    call.refresh_from_db()
    assert call.status == "busy"
