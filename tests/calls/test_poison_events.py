"""Events that cannot be processed are retried a bounded number of times, then parked with
the reason; they never hold up new calls, and odd values cost a field, not the call."""

import copy
import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from calls import receiving, tasks
from calls.models import Call, WebhookEvent
from tests.calls.conftest import post_event
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db


def _event(conversation_id: str, kind: str = "post_call_transcription__inbound") -> dict:
    event = copy.deepcopy(load_payload(kind))
    event["data"]["conversation_id"] = conversation_id
    return event


def _make_due(conversation_id: str) -> None:
    """The backoff has passed (a worker would wait; the test moves the clock instead)."""
    WebhookEvent.objects.filter(conversation_id=conversation_id, failed_at=None).update(
        next_attempt_at=timezone.now()
    )


def _sweep() -> None:
    call_command("retry_post_call_work", stdout=io.StringIO())


# -- impossible values: the rest of the call is kept ------------------------------------------


def test_a_start_time_in_milliseconds_is_read_as_seconds(client, agent):
    event = _event("conv_ms")
    event["data"]["metadata"]["start_time_unix_secs"] = 1763799850 * 1000

    post_event(client, event)

    call = Call.objects.get(elevenlabs_conversation_id="conv_ms")
    assert call.started_at == datetime.fromtimestamp(1763799850, tz=UTC)
    assert call.summary and call.sms_status == "sent"


@pytest.mark.parametrize("duration", [1e30, -5, "forever", 10**30])
def test_an_impossible_duration_is_dropped_and_the_call_kept(client, agent, duration):
    event = _event("conv_long")
    event["data"]["metadata"]["call_duration_secs"] = duration

    post_event(client, event)

    call = Call.objects.get(elevenlabs_conversation_id="conv_long")
    assert call.duration is None and call.ended_at is None
    assert call.status == "completed" and call.summary and call.contact is not None
    assert WebhookEvent.objects.get().processed_at is not None


def test_a_start_time_from_another_era_is_dropped_and_the_call_kept(client, agent):
    event = _event("conv_era")
    event["data"]["metadata"]["start_time_unix_secs"] = 10**15 * 7

    post_event(client, event)

    call = Call.objects.get(elevenlabs_conversation_id="conv_era")
    assert call.started_at is None and call.duration == 145 and call.summary


def test_a_broken_surrogate_in_the_summary_is_replaced_and_the_call_kept(client, agent):
    event = _event("conv_surrogate")
    event["data"]["analysis"]["transcript_summary"] = "Priya asked \ud800 about Ocean Street"
    event["data"]["transcript"][1]["message"] = "Hi \udfff Lisa"

    assert post_event(client, event).status_code == 200

    call = Call.objects.get(elevenlabs_conversation_id="conv_surrogate")
    assert call.summary == "Priya asked \ufffd about Ocean Street"
    assert call.transcript[1]["message"] == "Hi \ufffd Lisa"
    assert call.sms_status == "sent"


# -- bounded attempts, then parked --------------------------------------------------------------


def test_a_failing_event_is_retried_with_backoff_then_parked_with_the_reason(
    client, agent, database_refusing_call
):
    database_refusing_call("conv_poison")
    post_event(client, _event("conv_poison"))

    stored = WebhookEvent.objects.get()
    assert stored.attempts == 1 and stored.failed_at is None
    assert stored.next_attempt_at > timezone.now()
    reason = stored.last_error
    assert reason

    _sweep()  # not due yet: nothing happens
    assert WebhookEvent.objects.get().attempts == 1

    for _ in range(receiving.EVENT_MAX_ATTEMPTS + 3):
        _make_due("conv_poison")
        _sweep()

    stored.refresh_from_db()
    assert stored.attempts == receiving.EVENT_MAX_ATTEMPTS
    assert stored.failed_at is not None and stored.next_attempt_at is None
    assert stored.last_error == reason
    assert not Call.objects.exists()


def test_audio_whose_transcription_never_comes_is_parked_and_stored_once_the_call_arrives(
    client, agent
):
    post_event(client, _event("conv_audio", "post_call_audio__small"))
    for _ in range(receiving.EVENT_MAX_ATTEMPTS):
        _make_due("conv_audio")
        _sweep()

    audio = WebhookEvent.objects.get(event_type="post_call_audio")
    assert audio.failed_at is not None
    assert audio.last_error == receiving.CALL_NEVER_CAME

    post_event(client, _event("conv_audio"))  # the transcription, at last

    audio.refresh_from_db()
    assert audio.processed_at is not None and audio.failed_at is None
    assert Call.objects.get(elevenlabs_conversation_id="conv_audio").recording_file


def test_failing_and_parked_events_never_starve_new_ones(
    client, agent, provider, database_refusing_call
):
    database_refusing_call("conv_poison_%")
    now = timezone.now()
    WebhookEvent.objects.bulk_create(
        WebhookEvent(
            event_type="post_call_transcription",
            conversation_id=f"conv_poison_{n}",
            payload=_event(f"conv_poison_{n}"),
            attempts=2,
            next_attempt_at=now,  # every retry is due at once
            failed_at=now if n % 2 else None,  # and half of them are parked
        )
        for n in range(receiving.DRAIN_BATCH * 5)
    )

    post_event(client, _event("conv_fresh"))

    assert Call.objects.filter(elevenlabs_conversation_id="conv_fresh").exists()
    assert WebhookEvent.objects.get(conversation_id="conv_fresh").processed_at is not None


def test_the_drain_takes_fresh_events_before_due_retries(client, agent, database_refusing_call):
    database_refusing_call("conv_poison_%")
    for n in range(5):
        post_event(client, _event(f"conv_poison_{n}"))
    WebhookEvent.objects.update(next_attempt_at=timezone.now())
    fresh = WebhookEvent.objects.create(
        event_type="post_call_transcription",
        conversation_id="conv_fresh",
        payload=_event("conv_fresh"),
    )

    assert receiving.due_event_ids(limit=1) == [fresh.pk]

    tasks.drain_webhook_events()

    assert Call.objects.filter(elevenlabs_conversation_id="conv_fresh").exists()


# -- what staff see ------------------------------------------------------------------------------


def test_the_webhook_problems_page_lists_parked_events_and_retries_them(
    staff_client, client, agent, database_refusing_call
):
    trigger = database_refusing_call("conv_poison")
    post_event(client, _event("conv_poison"))
    WebhookEvent.objects.update(attempts=receiving.EVENT_MAX_ATTEMPTS - 1)
    _make_due("conv_poison")
    _sweep()
    event = WebhookEvent.objects.get()
    assert event.failed_at is not None

    page = staff_client.get(reverse("calls:webhook_problems"))
    assert page.status_code == 200
    assert b"conv_poison" in page.content and event.last_error.encode() in page.content
    assert b"Parked" in page.content
    assert b"See webhook problems" in staff_client.get(reverse("calls:list")).content

    database_refusing_call.allow(trigger)  # the cause is fixed
    response = staff_client.post(reverse("calls:webhook_problem_retry", args=[event.pk]))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.processed_at is not None and event.failed_at is None
    assert Call.objects.filter(elevenlabs_conversation_id="conv_poison").exists()
    empty = staff_client.get(reverse("calls:webhook_problems"))
    assert b"No webhook problems" in empty.content


def test_retry_needs_a_post_and_a_known_event(staff_client):
    assert staff_client.get(reverse("calls:webhook_problem_retry", args=[1])).status_code == 405
    assert staff_client.post(reverse("calls:webhook_problem_retry", args=[999])).status_code == 404


def test_the_admin_can_retry_parked_events(admin_client, client, agent, database_refusing_call):
    trigger = database_refusing_call("conv_poison")
    post_event(client, _event("conv_poison"))
    WebhookEvent.objects.update(failed_at=timezone.now(), next_attempt_at=None)
    database_refusing_call.allow(trigger)

    response = admin_client.post(
        reverse("admin:calls_webhookevent_changelist"),
        {"action": "retry_events", "_selected_action": [WebhookEvent.objects.get().pk]},
    )

    assert response.status_code == 302
    assert WebhookEvent.objects.get().processed_at is not None
