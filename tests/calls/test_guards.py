"""Guards that prevent harm: each test here fails when its guard is removed."""

import copy
import socket
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.models import Call
from tests.calls.conftest import post_event
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def twilio_hanging_up_after_the_request(settings):
    """A Twilio that reads the whole request, then drops the connection unanswered: the
    message may well have been accepted, and Voqo cannot know."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    requests: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                received = b""
                try:
                    while b"\r\n\r\n" not in received:
                        received += connection.recv(65536)
                    head, _, body = received.partition(b"\r\n\r\n")
                    length = next(
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    )
                    while len(body) < length:
                        body += connection.recv(65536)
                except (OSError, StopIteration):
                    pass
                requests.append(received)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.TWILIO_BASE_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    yield requests
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_an_sms_that_may_have_been_delivered_is_never_sent_again(
    client, agent, provider, twilio_hanging_up_after_the_request
):
    post_event(client, load_payload("post_call_transcription__inbound"))

    call = Call.objects.get()
    assert len(twilio_hanging_up_after_the_request) == 1
    assert call.sms_status == "failed" and not call.sms_sent
    assert "may have been sent" in call.sms_error
    assert call.sms_next_attempt_at is None

    # However often the retry sweep runs later, nobody is texted a second time.
    Call.objects.filter(pk=call.pk).update(sms_next_attempt_at=timezone.now())
    for _ in range(3):
        call_command("retry_post_call_work", stdout=__import__("io").StringIO())
    assert len(twilio_hanging_up_after_the_request) == 1


def test_a_late_initiation_failure_never_downgrades_a_processed_transcription(client, agent):
    transcription = copy.deepcopy(load_payload("post_call_transcription__outbound"))
    conversation_id = transcription["data"]["conversation_id"]
    failure = copy.deepcopy(load_payload("call_initiation_failure__busy"))
    failure["data"]["conversation_id"] = conversation_id

    post_event(client, transcription)
    post_event(client, failure)

    call = Call.objects.get(elevenlabs_conversation_id=conversation_id)
    assert call.status == "completed"
    assert call.failure_reason == ""
    assert call.summary  # the transcription's record is intact
