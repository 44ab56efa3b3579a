"""Slow peers never starve the site (through a real gunicorn, as the project serves itself).

Slow upstreams: custom functions wait on the agency's API while /health and the webhooks go
on being answered. Slow clients: connections that send headers and then no body neither tie
up the workers nor hold a thread past REQUEST_BODY_TIMEOUT.
"""

from __future__ import annotations

import gc
import json
import runpy
import socket
import threading
import urllib.error
import urllib.request
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from functions.models import MAX_TIMEOUT_SECS, CustomFunction
from functions.services import TOKEN_HEADER
from tests.factories import make_agent
from tests.fakeprovider import load_payload, post_signed_elevenlabs_webhook
from tests.voqo.served import gunicorn

HOLD_AT_MOST = 60  # seconds the upstream holds a call if the test never releases it


class HangingUpstream:
    """An agency API on 127.0.0.1 that holds every request until released."""

    def __init__(self):
        self.arrived = threading.Semaphore(0)
        self.release = threading.Event()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream.arrived.release()
                upstream.release.wait(HOLD_AT_MOST)
                payload = json.dumps({"available": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=HOLD_AT_MOST + 30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _initiation(url: str) -> int:
    status, _ = _post(
        url + "/webhooks/elevenlabs/initiation",
        {"caller_id": "+61412345678", "agent_id": "agent_x", "call_sid": "CA1"},
        {"Authorization": f"Bearer {settings.ELEVENLABS_INITIATION_TOKEN}"},
    )
    return status


def _health(url: str) -> int:
    with urllib.request.urlopen(url + "/health", timeout=30) as response:
        return response.status


@pytest.mark.django_db(transaction=True)
def test_hanging_tool_calls_do_not_hold_up_health_or_webhooks():
    with ExitStack() as stack:
        upstream = HangingUpstream()
        stack.callback(upstream.close)
        function = CustomFunction.objects.create(
            agent=make_agent(),
            name="check_property",
            description="Check whether a property is still available.",
            endpoint=f"http://localhost:{upstream.port}/properties",
            method=CustomFunction.Method.POST,
            parameters={"type": "object", "properties": {"address": {"type": "string"}}},
            timeout=MAX_TIMEOUT_SECS,
        )
        url = stack.enter_context(gunicorn(workers=2))  # as many as the site that stalled
        answers: list[int] = []

        def tool_call():
            status, _ = _post(
                f"{url}/functions/{function.id}/invoke",
                {"address": "12 Ocean Street"},
                {TOKEN_HEADER: function.invocation_token},
            )
            answers.append(status)

        calls = [threading.Thread(target=tool_call) for _ in range(2)]
        for call in calls:
            call.start()
        for _ in calls:
            assert upstream.arrived.acquire(timeout=30), "the tool call never reached upstream"

        # Both tool calls are waiting on the upstream; the site answers meanwhile.
        assert _health(url) == 200
        event = load_payload("post_call_transcription__inbound")
        delivered = post_signed_elevenlabs_webhook(
            url + "/webhooks/elevenlabs/post-call", event, settings.ELEVENLABS_WEBHOOK_SECRET
        )
        assert delivered.status == 200
        assert _initiation(url) == 200
        assert all(call.is_alive() for call in calls), "the upstream was still holding them"

        upstream.release.set()
        for call in calls:
            call.join(timeout=HOLD_AT_MOST)
        assert answers == [200, 200]


def _stall(url: str) -> socket.socket:
    """A client that sends a request's headers, one byte of its body, and then nothing."""
    parts = urlsplit(url)
    client = socket.create_connection((parts.hostname, parts.port), timeout=60)
    client.sendall(
        b"POST /webhooks/elevenlabs/initiation HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Bearer " + settings.ELEVENLABS_INITIATION_TOKEN.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    return client


@pytest.mark.django_db(transaction=True)
def test_clients_sending_headers_and_no_body_leave_the_workers_free():
    with ExitStack() as stack:
        # A stalled body is held for as long as the test can take: threads are what keep
        # the site answering here, not the body deadline.
        url = stack.enter_context(gunicorn(workers=2, env={"REQUEST_BODY_TIMEOUT": "600"}))
        stalled = [stack.enter_context(_stall(url)) for _ in range(6)]

        assert [_initiation(url) for _ in range(4)] == [200, 200, 200, 200]
        assert _health(url) == 200

        for client in stalled:
            client.setblocking(False)
            with pytest.raises(BlockingIOError):
                client.recv(1)  # still waiting for its body: nothing answered it yet


@pytest.mark.django_db(transaction=True)
def test_stalled_bodies_are_cut_off_so_more_of_them_than_threads_cannot_block_the_site():
    with ExitStack() as stack:
        url = stack.enter_context(
            gunicorn(workers=1, env={"WEB_THREADS": "2", "REQUEST_BODY_TIMEOUT": "1"})
        )
        stalled = [stack.enter_context(_stall(url)) for _ in range(4)]

        assert [_initiation(url) for _ in range(4)] == [200, 200, 200, 200]
        for client in stalled:
            assert client.recv(65536).startswith(b"HTTP/1.1 408 ")


def test_the_worker_timeout_is_above_the_longest_function_deadline():
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread" and config["threads"] >= 8
    assert config["timeout"] >= MAX_TIMEOUT_SECS + 30
    assert settings.REQUEST_BODY_TIMEOUT < config["timeout"]


def test_a_started_worker_hides_its_start_up_objects_from_the_garbage_collector():
    # A full collection over Django, the SDKs and the URL patterns took ~34 ms (measured):
    # a request that triggered one stalled that long.
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
