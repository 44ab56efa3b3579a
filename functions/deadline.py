"""A total deadline for one outgoing exchange, enforced by cutting its sockets.

A socket timeout restarts with every byte received, so it cannot bound an exchange with an
endpoint that drips its answer. Each `Deadline` is watched by one watchdog thread per
process (a timer thread per exchange cost more than a whole exchange with a nearby
receiver); every socket the exchange uses, new or taken from a pool, is registered with it,
and when the time is up each is shut down, which makes a blocked read (plain or TLS) return
at once.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection


class Deadline:
    """Cuts every socket of one exchange when its total deadline passes (unless cancelled)."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + max(seconds, 0)
        self.expired = False
        self.cancelled = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        _WATCHDOG.add(self)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _cut(sock)

    def expire(self) -> None:
        with self._lock:
            if self.cancelled:
                return
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _cut(sock)

    def cancel(self) -> None:
        """The exchange is over: its sockets (now back in a pool) must not be cut later."""
        with self._lock:
            self.cancelled = True
            self._sockets = []


COMPACT_EVERY = 1024


class _Watchdog:
    """One thread expiring every deadline of the process, earliest first."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="egress-deadlines", daemon=True
                )
                self._thread.start()
            order = next(self._order)
            if order % COMPACT_EVERY == 0:
                # Finished exchanges wait in the heap until their time; drop them now and
                # then, so a busy process does not keep minutes of them.
                self._due = [entry for entry in self._due if not entry[2].cancelled]
                heapq.heapify(self._due)
            heapq.heappush(self._due, (deadline.at, order, deadline))
            if self._due[0][2] is deadline:
                self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                due = self._next_due()
            due.expire()

    def _next_due(self) -> Deadline:
        while True:
            while self._due and self._due[0][2].cancelled:
                heapq.heappop(self._due)  # most exchanges finish in time
            if not self._due:
                self._changed.wait()
                continue
            wait = self._due[0][0] - time.monotonic()
            if wait <= 0:
                return heapq.heappop(self._due)[2]
            self._changed.wait(wait)


_WATCHDOG = _Watchdog()


def _start_afresh_after_fork() -> None:
    # A forked child has the heap and a possibly held lock, but not the thread.
    global _WATCHDOG
    _WATCHDOG = _Watchdog()


os.register_at_fork(after_in_child=_start_afresh_after_fork)


def _cut(sock: socket.socket) -> None:
    # shutdown, not close: the reading thread still owns the socket and closes it; a blocked
    # recv returns at once. Through a duplicate of the descriptor, so that a TLS socket's
    # state is left alone (its own shutdown() drops the TLS object under the reader).
    try:
        with socket.socket(fileno=os.dup(sock.fileno())) as twin:
            twin.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_exchange = threading.local()


@contextmanager
def watched_by(deadline: Deadline) -> Iterator[None]:
    """Register with `deadline` every socket the watched pools use on this thread."""
    _exchange.deadline = deadline
    _exchange.reused = False
    try:
        yield
    finally:
        _exchange.deadline = None


def used_a_kept_connection() -> bool:
    """Whether this thread's last request went out on a connection kept from before."""
    return getattr(_exchange, "reused", False)


def _watch(sock: socket.socket | None) -> None:
    deadline = getattr(_exchange, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock


class _KeptConnectionsWatched:
    def _put_conn(self, conn) -> None:
        # More exchanges at once than connections are kept (web threads calling one agency's
        # API): the extra connection closes quietly, where urllib3 would log a warning.
        if conn is not None and self.pool is not None and self.pool.full():
            conn.close()
            return
        super()._put_conn(conn)

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        # A kept connection's socket was opened under an earlier exchange's deadline.
        _exchange.reused = conn.sock is not None
        _watch(conn.sock)
        return conn


class WatchedHTTPPool(_KeptConnectionsWatched, urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class WatchedHTTPSPool(_KeptConnectionsWatched, urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection
