"""Whole request bodies before Django sees them: chunked ones made readable, stalled ones cut off.

Django reads `CONTENT_LENGTH` bytes of `wsgi.input` and nothing more, so a body sent with
`Transfer-Encoding: chunked` (ElevenLabs' audio webhooks) reads as empty: the post-call view
then sees no signature match and answers 401. gunicorn decodes the chunks itself and marks
the stream `wsgi.input_terminated`, so reading to the end is safe there.

`RequestBodies` wraps the WSGI application. For every request with a body it reads the whole
body first — into memory, or a temporary file past `SPOOL_BYTES` — and hands Django a stream
with a true `CONTENT_LENGTH`, so every size limit downstream (`DATA_UPLOAD_MAX_MEMORY_SIZE`,
the post-call and upload views' own limits) applies to chunked bodies exactly as to others.
Two limits of its own keep a client from holding a worker thread: a body larger than
`REQUEST_BODY_MAX_BYTES` gets 413 without being read, and a body that has not fully arrived
`REQUEST_BODY_TIMEOUT` seconds after the headers gets 408. In production a buffering reverse
proxy in front (deploy/nginx.conf) absorbs slow clients before they reach gunicorn at all.
"""

from __future__ import annotations

import io
import json
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any

SPOOL_BYTES = 1024 * 1024
READ_SIZE = 64 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


class BodyTooLarge(Exception):
    pass


class BodyTimeout(Exception):
    pass


class RequestBodies:
    """WSGI middleware: read each request body whole, within a size and a time limit."""

    def __init__(self, app: WSGIApp, *, max_bytes: int, timeout: float):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django treats a malformed length as no body; so do we.
        if not chunked and declared <= 0:
            return self.app(environ, start_response)
        if chunked and not environ.get("wsgi.input_terminated"):
            # A server that does not decode chunks would hand us the raw chunk framing.
            return _refuse(start_response, 411, "Chunked bodies are not supported here.")
        too_large = f"Body larger than {self.max_bytes} bytes."
        if declared > self.max_bytes:
            _stop_reading(environ)
            return _refuse(start_response, 413, too_large)
        try:
            body, length = self._read_whole(environ, None if chunked else declared)
        except BodyTooLarge:
            _stop_reading(environ)
            return _refuse(start_response, 413, too_large)
        except BodyTimeout:
            _stop_reading(environ)
            return _refuse(start_response, 408, "The request body did not arrive in time.")
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(length)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        if isinstance(body, io.BytesIO):
            return self.app(environ, start_response)
        # A spooled body may be a file on disk: closed when the server closes the response.
        try:
            return _ClosingAfter(self.app(environ, start_response), body)
        except BaseException:
            body.close()
            raise

    def _read_whole(self, environ: dict, length: int | None):
        """The body as a rewound file and its length; `length` None reads to the end."""
        stream = environ["wsgi.input"]
        # gunicorn exposes the client socket: bound each read by what is left of the deadline.
        sock = environ.get("gunicorn.socket")
        prior_timeout = sock.gettimeout() if isinstance(sock, socket.socket) else None
        deadline = time.monotonic() + self.timeout
        # A declared length that fits in memory needs no spooling: a plain buffer, cheaper to
        # make than a spooled file and with nothing to close after the response.
        if length is not None and length <= SPOOL_BYTES:
            body = io.BytesIO()
        else:
            body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        received = 0
        try:
            while length is None or received < length:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BodyTimeout
                if isinstance(sock, socket.socket):
                    sock.settimeout(remaining)
                wanted = READ_SIZE if length is None else min(READ_SIZE, length - received)
                try:
                    chunk = stream.read(wanted)
                except TimeoutError:
                    raise BodyTimeout from None
                if not chunk:
                    break  # the client stopped early; Django sees what arrived
                received += len(chunk)
                if received > self.max_bytes:
                    raise BodyTooLarge
                body.write(chunk)
        except BaseException:
            body.close()
            raise
        finally:
            if isinstance(sock, socket.socket):
                sock.settimeout(prior_timeout)
        body.seek(0)
        return body, received


class _ClosingAfter:
    """The app's response, closing the request's body once the server closes the response
    (WSGI calls `close()` when it has sent it, or given up)."""

    def __init__(self, response: Iterable[bytes], body) -> None:
        self.response = response
        self.body = body

    def __iter__(self):
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self.body.close()


def _stop_reading(environ: dict) -> None:
    """Close the read side of the connection of a refused body.

    The server would otherwise try to read (drain) the rest of the body before the next
    request on the connection, holding the thread for a client we have just refused.
    """
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass  # already gone


def _refuse(start_response: StartResponse, status: int, reason: str) -> list[bytes]:
    payload = json.dumps({"error": reason}).encode()
    phrases = {408: "Request Timeout", 411: "Length Required", 413: "Content Too Large"}
    start_response(
        f"{status} {phrases[status]}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]
