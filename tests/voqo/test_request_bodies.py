"""Request bodies through a real gunicorn: chunked ones are read, large or stalled ones refused."""

from __future__ import annotations

import gc
import http.client
import io
import json
import socket
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from calls.models import WebhookEvent
from tests.fakeprovider import elevenlabs_signature, load_payload
from tests.voqo.served import gunicorn
from voqo.request_bodies import SPOOL_BYTES, RequestBodies

POST_CALL = "/webhooks/elevenlabs/post-call"
INITIATION = "/webhooks/elevenlabs/initiation"


def _in_chunks(body: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def post_chunked(url: str, path: str, body: bytes, headers: dict[str, str]):
    """POST `body` with `Transfer-Encoding: chunked` (no Content-Length), as ElevenLabs does."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=_in_chunks(body),
            headers={"Content-Type": "application/json", **headers},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def signed(event: dict) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode()
    signature = elevenlabs_signature(body, settings.ELEVENLABS_WEBHOOK_SECRET)
    return body, {"ElevenLabs-Signature": signature}


@pytest.mark.django_db(transaction=True)
def test_chunked_signed_post_call_events_are_accepted_and_stored_under_gunicorn():
    transcription = load_payload("post_call_transcription__inbound")
    audio = load_payload("post_call_audio__small")
    with gunicorn() as url:
        status, answer = post_chunked(url, POST_CALL, *signed(transcription))
        assert status == 200, answer
        assert json.loads(answer) == {"status": "received"}
        status, answer = post_chunked(url, POST_CALL, *signed(audio))
        assert status == 200, answer
        # The same delivery again is recognised as stored: the body was read whole.
        status, answer = post_chunked(url, POST_CALL, *signed(transcription))
        assert json.loads(answer) == {"status": "duplicate"}

    stored = WebhookEvent.objects.order_by("event_type")
    assert [(event.event_type, event.conversation_id) for event in stored] == [
        ("post_call_audio", audio["data"]["conversation_id"]),
        ("post_call_transcription", transcription["data"]["conversation_id"]),
    ]
    assert stored[0].payload["data"]["full_audio"] == audio["data"]["full_audio"]


@pytest.mark.django_db(transaction=True)
def test_chunked_bodies_keep_the_size_limits():
    event = load_payload("post_call_transcription__inbound")
    event["data"]["analysis"]["transcript_summary"] = "A long call. " * 400
    with gunicorn(env={"REQUEST_BODY_MAX_BYTES": "4096"}) as url:
        status, answer = post_chunked(url, POST_CALL, *signed(event))
        assert status == 413
        assert json.loads(answer) == {"error": "Body larger than 4096 bytes."}
    with gunicorn() as url:
        # Django's own limit for request.body (DATA_UPLOAD_MAX_MEMORY_SIZE) applies as well.
        huge = json.dumps({"caller_id": "+61412345678", "padding": "x" * 3_000_000}).encode()
        auth = {"Authorization": f"Bearer {settings.ELEVENLABS_INITIATION_TOKEN}"}
        status, _ = post_chunked(url, INITIATION, huge, auth)
        assert status == 400
    assert not WebhookEvent.objects.exists()


def read_until_closed(client: socket.socket) -> bytes:
    """The whole answer: under load the headers and the body can arrive in separate reads."""
    answer = b""
    while chunk := client.recv(65536):
        answer += chunk
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_body_that_stops_arriving_is_answered_408_under_gunicorn():
    with gunicorn(env={"REQUEST_BODY_TIMEOUT": "0.5"}) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as client:
            client.sendall(
                b"POST /webhooks/elevenlabs/initiation HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            answer = read_until_closed(client)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"The request body did not arrive in time." in answer


@pytest.mark.django_db(transaction=True)
def test_broken_chunk_framing_is_answered_400_under_gunicorn():
    with gunicorn() as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as client:
            client.sendall(
                b"POST /webhooks/elevenlabs/post-call HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n"
            )
            answer = client.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Invalid chunk size" in answer
    assert not WebhookEvent.objects.exists()


def test_a_server_that_does_not_decode_chunks_gets_411():
    """Under a server that hands over the raw chunk framing, the body is refused, not misread."""
    reached = []
    app = RequestBodies(lambda environ, start: reached.append(environ), max_bytes=100, timeout=1)
    statuses = []
    answer = app(
        {
            "REQUEST_METHOD": "POST",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(b"5\r\nhello\r\n0\r\n\r\n"),
        },
        lambda status, headers: statuses.append(status),
    )
    assert statuses == ["411 Length Required"]
    assert json.loads(b"".join(answer)) == {"error": "Chunked bodies are not supported here."}
    assert not reached


@pytest.mark.parametrize("size", [0, 1, SPOOL_BYTES, SPOOL_BYTES + 1, 3 * SPOOL_BYTES])
def test_a_declared_body_reaches_the_app_whole_on_either_side_of_the_spool_limit(size):
    """In memory up to SPOOL_BYTES, spooled to a temporary file beyond: the app reads the same
    bytes and the true length either way, and no body is left as an unclosed file once the
    server has closed the response (as a WSGI server does after sending it)."""
    sent = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    seen, closed = [], []

    class Response(list):
        def close(self):
            closed.append(True)

    def application(environ, start_response):
        seen.append((environ["CONTENT_LENGTH"], environ["wsgi.input"].read()))
        start_response("200 OK", [])
        return Response([b"answer"])

    app = RequestBodies(application, max_bytes=4 * SPOOL_BYTES, timeout=5)
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(size),
        "wsgi.input": io.BytesIO(sent),
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        response = app(environ, lambda status, headers: None)
        assert b"".join(response) == b"answer"
        response.close()
        # The app's own close() still runs: Django's sends request_finished from it.
        assert closed == [True]
        del environ["wsgi.input"], response
        gc.collect()
        assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert seen == [(str(size), sent)]
