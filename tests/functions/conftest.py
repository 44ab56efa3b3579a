"""A local stand-in for an agency's API (fixtures `target`, `allow_localhost`)."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class ReceivedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class TargetServer:
    """An agency API on 127.0.0.1. `routes[path] = (status, headers, body)` sets an answer."""

    port: int = 0
    requests: list[ReceivedRequest] = field(default_factory=list)
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)

    def url(self, path: str = "/", host: str = "localhost") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self, path: str, body: Any, status: int = 200, headers=None) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        content_type = "application/octet-stream" if isinstance(body, bytes) else "application/json"
        self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, payload)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = (status, {"Location": location}, b"")


def _handler(server: TargetServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append(
                ReceivedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
            )
            if parts.path == "/slow":
                time.sleep(2)  # longer than the 1 s timeout of the test that calls it
            if parts.path in server.routes:
                status, headers, payload = server.routes[parts.path]
            else:
                status, headers = 200, {"Content-Type": "application/json"}
                payload = json.dumps({"ok": True, "path": parts.path}).encode()
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def target():
    """The agency's API, listening on 127.0.0.1 (reach it as "localhost" when allowed)."""
    state = TargetServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allow_localhost(settings):
    """Open "localhost" (development allow-list); 127.0.0.1 itself stays refused."""
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]


@dataclass
class DripServer:
    """An endpoint that answers one byte at a time, `interval` seconds apart.

    `mode` "headers" drips the status line and headers; "body" sends the headers at once and
    drips a body of `length` bytes. `cut` is set when the client hangs up before the end.
    """

    port: int = 0
    mode: str = "headers"
    length: int = 600
    interval: float = 0.1
    bytes_sent: int = 0
    cut: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/drip") -> str:
        return f"http://localhost:{self.port}{path}"

    def answer(self) -> tuple[bytes, bytes]:
        body = b"x" * self.length
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        return (b"", head + body) if self.mode == "headers" else (head, body)


def _serve_drips(server: DripServer, listener: socket.socket) -> None:
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return  # the listener was closed
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)  # the request (small; one read is enough here)
                at_once, dripped = server.answer()
                conn.sendall(at_once)
                for position in range(len(dripped)):
                    conn.sendall(dripped[position : position + 1])
                    server.bytes_sent += 1
                    time.sleep(server.interval)
                server.finished.set()
            except OSError:
                server.cut.set()


@pytest.fixture
def drip():
    """A slow-drip endpoint on 127.0.0.1 (reach it as "localhost" when allowed)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    server = DripServer(port=listener.getsockname()[1])
    thread = threading.Thread(target=_serve_drips, args=(server, listener), daemon=True)
    thread.start()
    yield server
    listener.close()
