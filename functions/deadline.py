"""A total deadline for one outgoing exchange, enforced by cutting its sockets.

A socket timeout restarts with every byte received, so it cannot bound an exchange with an
endpoint that drips its answer. `Deadline` starts a timer; every socket the watched pools
open is registered with it, and when the time is up each is shut down, which makes a
blocked read (plain or TLS) return at once.
"""

from __future__ import annotations

import socket
import threading
import time

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection


class Deadline:
    """Cuts every socket of one exchange when its total deadline passes."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _cut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _cut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _cut(sock: socket.socket) -> None:
    # shutdown, not close: the reading thread still owns the socket and closes it; a blocked
    # recv returns at once (TLS included, it shares the file descriptor).
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _WatchedHTTPConnection(HTTPConnection):
    deadline: Deadline | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if self.deadline is not None:
            self.deadline.watch(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    deadline: Deadline | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if self.deadline is not None:
            self.deadline.watch(sock)
        return sock


class WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection
    deadline: Deadline | None = None

    def _new_conn(self):
        conn = super()._new_conn()
        conn.deadline = self.deadline
        return conn


class WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection
    deadline: Deadline | None = None

    def _new_conn(self):
        conn = super()._new_conn()
        conn.deadline = self.deadline
        return conn
