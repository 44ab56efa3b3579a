"""Writes that many request threads make at once, committed together.

A post-call acknowledgement is one INSERT and one commit. Under a burst, the requests of a
process each took the database's write lock (SQLite: one writer at a time, waiters back off
and sleep) or made a round trip (PostgreSQL) for their own row. `GroupWriter` lets the
first request in write for every request that arrives while it writes: the rows waiting
are written by one statement, and each request gets its own row's result back.

Leader and followers, no thread of its own: the request that finds no write under way
writes (the leader), with its own database connection, everything queued at that moment;
requests arriving meanwhile wait, and when the leader is done the first of them leads the
next group. A lone request writes at once, on its own connection and in its own
transaction — exactly as without the writer — so nothing is delayed to make a group.

If a group's write fails, each request writes its own item again, alone, from its own
thread: a bad row fails only its own request, and a connection lost under the group (a
database restart) fails at most the leader's, whose connection it was — each follower
retries on its own. An item's result or error reaches its request unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Waiting:
    __slots__ = ("item", "done", "leads", "settled", "alone", "result", "error")

    def __init__(self, item: Any) -> None:
        self.item = item
        self.done = threading.Event()
        self.leads = False
        self.settled = False
        self.alone = False  # its group failed: the request writes its item itself
        self.result: Any = None
        self.error: BaseException | None = None

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.settled = result, error, True

    def write_alone(self) -> None:
        self.alone, self.settled = True, True


class GroupWriter(Generic[Item, Result]):
    """Write items one group at a time with `write_group(items) -> results` (same order).

    A group holds at most `max_group` items and, past its first item, at most `max_size`
    of `size(item)` in all (a post-call audio event can be tens of megabytes: one statement
    must not carry dozens of them); the rest wait for the next group.
    """

    def __init__(
        self,
        write_group: Callable[[Sequence[Item]], Sequence[Result]],
        *,
        max_group: int = 64,
        size: Callable[[Item], int] = lambda item: 0,
        max_size: int = 0,
    ) -> None:
        self.write_group = write_group
        self.max_group = max_group
        self.size = size
        self.max_size = max_size
        self._lock = threading.Lock()
        self._queued: list[_Waiting] = []
        self._writing = False

    def waiting(self) -> int:
        """How many items wait for a group (not counting one being written)."""
        with self._lock:
            return len(self._queued)

    def write(self, item: Item) -> Result:
        """Write `item` (alone or with others queued meanwhile); its result, or its error."""
        mine = _Waiting(item)
        with self._lock:
            self._queued.append(mine)
            mine.leads = not self._writing
            self._writing = True
        if not mine.leads:
            mine.done.wait()
        if mine.leads:
            self._lead()
        if mine.alone:
            return self.write_group([item])[0]
        if mine.error is not None:
            raise mine.error
        return mine.result

    def _lead(self) -> None:
        with self._lock:
            taken = total = 0
            for waiting in self._queued[: self.max_group]:
                total += self.size(waiting.item)
                if taken and total > self.max_size:
                    break
                taken += 1
            group, self._queued = self._queued[:taken], self._queued[taken:]
        try:
            self._write(group)
        finally:
            for waiting in group:
                if not waiting.settled:  # the write was interrupted (BaseException)
                    waiting.settle(error=RuntimeError("The group's write was interrupted."))
            with self._lock:
                if self._queued:
                    self._queued[0].leads = True  # it takes everything queued meanwhile
                    self._queued[0].done.set()
                else:
                    self._writing = False
            for waiting in group:
                waiting.done.set()

    def _write(self, group: list[_Waiting]) -> None:
        try:
            results = self.write_group([waiting.item for waiting in group])
        except Exception as error:
            if len(group) == 1:
                group[0].settle(error=error)
                return
            for waiting in group:  # each again, alone, on its own request's connection
                waiting.write_alone()
            return
        for waiting, result in zip(group, results, strict=True):
            waiting.settle(result)
