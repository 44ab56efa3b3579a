"""Outgoing requests keep their connection for the next request to the same checked address,
without ever giving up the address check, the total deadline or a clean answer."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest

from functions.egress import (
    KEPT_CONNECTIONS,
    DestinationRefused,
    EgressError,
    EgressTimeout,
    OutgoingRequest,
    ResponseTooLarge,
    send_request,
)

pytestmark = pytest.mark.usefixtures("allow_localhost")


@dataclass
class KeepAliveServer:
    """An HTTP/1.1 receiver on 127.0.0.1 that keeps connections open and counts them.

    Paths: /ok answers "ok"; /big declares a body larger than is read; /drip answers its
    body a byte at a time; /hangup closes the connection unanswered; /once answers on a new
    connection but hangs up, unanswered, on a request that comes over a kept one (a receiver
    closing an idle connection as it is used).
    """

    port: int = 0
    connections: int = 0
    requests: list[str] = field(default_factory=list)
    cut: threading.Event = field(default_factory=threading.Event)
    delay: float = 0  # seconds before each /ok answer

    def url(self, path: str) -> str:
        return f"http://localhost:{self.port}{path}"


def _read_request(reader) -> str | None:
    request_line = reader.readline().decode()
    if not request_line:
        return None
    length = 0
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    reader.read(length)
    return request_line.split()[1]


def _answer(conn: socket.socket, body: bytes, declared: int | None = None) -> None:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {declared or len(body)}\r\n\r\n".encode()
    conn.sendall(head + body)


def _serve_connection(server: KeepAliveServer, conn: socket.socket) -> None:
    reader = conn.makefile("rb")
    with conn:
        for served in range(100):
            path = _read_request(reader)
            if path is None:
                return
            server.requests.append(path)
            if path == "/hangup" or (path == "/once" and served > 0):
                return  # hang up without an answer
            if path == "/big":
                _answer(conn, b"x" * 1024, declared=10 * 1024 * 1024)
            elif path == "/drip":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n")
                try:
                    for _ in range(600):
                        conn.sendall(b"x")
                        time.sleep(0.1)
                except OSError:
                    server.cut.set()
                return
            else:
                time.sleep(server.delay)
                _answer(conn, b"ok")


@pytest.fixture
def keepalive():
    listener = socket.create_server(("127.0.0.1", 0))
    server = KeepAliveServer(port=listener.getsockname()[1])
    opened: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            server.connections += 1
            opened.append(conn)
            threading.Thread(target=_serve_connection, args=(server, conn), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server
    listener.close()
    for conn in opened:  # kept connections end with the test
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _post(url: str, timeout: float = 5) -> bytes:
    request = OutgoingRequest(
        method="POST", url=url, headers={"Content-Type": "text/plain"}, body=b"hi", timeout=timeout
    )
    return send_request(request).body


def test_requests_to_the_same_receiver_share_one_connection(keepalive):
    answers = [_post(keepalive.url("/ok")) for _ in range(3)]

    assert answers == [b"ok", b"ok", b"ok"]
    assert keepalive.requests == ["/ok", "/ok", "/ok"]
    assert keepalive.connections == 1


def test_a_kept_connection_does_not_spare_the_address_check(keepalive, settings):
    assert _post(keepalive.url("/ok")) == b"ok"
    settings.ALLOWED_FUNCTION_HOSTS = []

    with pytest.raises(DestinationRefused):
        _post(keepalive.url("/ok"))

    assert keepalive.requests == ["/ok"]


def test_an_answer_left_unread_never_reaches_the_next_request(keepalive):
    with pytest.raises(ResponseTooLarge):
        _post(keepalive.url("/big"))

    assert _post(keepalive.url("/ok")) == b"ok"
    assert keepalive.connections == 2  # the connection with unread bytes was closed


def test_the_deadline_cuts_a_kept_connection_too(keepalive):
    assert _post(keepalive.url("/ok")) == b"ok"

    with pytest.raises(EgressTimeout):
        _post(keepalive.url("/drip"), timeout=0.5)

    assert keepalive.connections == 1  # the dripping answer came over the kept connection
    assert keepalive.cut.wait(timeout=10)
    assert _post(keepalive.url("/ok")) == b"ok"


def test_a_kept_connection_the_receiver_closed_is_replaced_once(keepalive):
    assert _post(keepalive.url("/once")) == b"ok"

    # The kept connection hangs up unanswered; the request goes again on a new one.
    assert _post(keepalive.url("/once")) == b"ok"

    assert keepalive.requests == ["/once", "/once", "/once"]
    assert keepalive.connections == 2


def test_a_receiver_that_hangs_up_gets_one_more_try_at_most(keepalive):
    with pytest.raises(EgressError, match="The connection to localhost failed"):
        _post(keepalive.url("/hangup"))  # on a new connection: not sent again
    assert _post(keepalive.url("/ok")) == b"ok"

    with pytest.raises(EgressError, match="The connection to localhost failed"):
        _post(keepalive.url("/hangup"))  # on the kept connection, then once on a new one

    assert keepalive.requests == ["/hangup", "/ok", "/hangup", "/hangup"]


def test_a_forked_process_opens_its_own_connection(keepalive):
    assert _post(keepalive.url("/ok")) == b"ok"

    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        try:
            os._exit(0 if _post(keepalive.url("/ok")) == b"ok" else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert keepalive.connections == 2  # the child never wrote on the parent's socket


def test_more_requests_at_once_than_are_kept_close_their_extra_connections_quietly(
    keepalive, caplog
):
    keepalive.delay = 0.3  # every answer waits, so the requests overlap
    answers: list[bytes] = []
    senders = [
        threading.Thread(target=lambda: answers.append(_post(keepalive.url("/ok"))))
        for _ in range(KEPT_CONNECTIONS + 2)
    ]
    with caplog.at_level(logging.WARNING):
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()

    assert answers == [b"ok"] * (KEPT_CONNECTIONS + 2)
    assert keepalive.connections == KEPT_CONNECTIONS + 2
    assert caplog.records == []
    keepalive.delay = 0
    # The kept ones serve the next requests.
    for _ in range(KEPT_CONNECTIONS):
        assert _post(keepalive.url("/ok")) == b"ok"
    assert keepalive.connections == KEPT_CONNECTIONS + 2
