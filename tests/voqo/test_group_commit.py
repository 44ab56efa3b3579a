"""Group commit: writes made meanwhile go out together; each caller gets its own result."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from calls.models import WebhookEvent
from voqo.bulk import insert_new_rows
from voqo.group_commit import GroupWriter


def wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.001)


class HeldFirstGroup:
    """A write_group that records every group and holds the first until `release` is set,
    so that the test can queue writes behind it; `answer(items)` makes each group's results."""

    def __init__(self, answer):
        self.answer = answer
        self.groups: list[list] = []
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, items):
        self.groups.append(list(items))
        if len(self.groups) == 1:
            self.started.set()
            self.release.wait(10)
        return self.answer(items)


def test_a_lone_write_goes_out_at_once_from_the_callers_own_thread():
    groups = []
    writer = GroupWriter(
        lambda items: (
            groups.append((threading.get_ident(), list(items))) or [item * 2 for item in items]
        )
    )

    assert writer.write(21) == 42
    assert groups == [(threading.get_ident(), [21])]


def test_writes_made_during_a_write_go_out_together_and_each_caller_gets_its_own_result():
    write_group = HeldFirstGroup(lambda items: [f"row {item}" for item in items])
    groups = write_group.groups

    writer = GroupWriter(write_group)
    with ThreadPoolExecutor(max_workers=9) as pool:
        first = pool.submit(writer.write, 0)
        write_group.started.wait(10)
        others = [pool.submit(writer.write, n) for n in range(1, 9)]
        wait_until(lambda: writer.waiting() == 8)
        write_group.release.set()
        results = [first.result(10)] + [other.result(10) for other in others]

    assert results == [f"row {n}" for n in range(9)]
    assert groups[0] == [0]
    assert sorted(groups[1]) == list(range(1, 9)), "everything queued meanwhile: one group"
    assert len(groups) == 2


def test_a_group_that_fails_is_written_item_by_item_and_only_the_bad_item_fails():
    def upper_unless_bad(items):
        if "bad" in items:
            raise ValueError("a bad row")
        return [item.upper() for item in items]

    write_group = HeldFirstGroup(upper_unless_bad)
    groups, started, release = write_group.groups, write_group.started, write_group.release

    writer = GroupWriter(write_group)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(writer.write, "first")
        started.wait(10)
        futures = {item: pool.submit(writer.write, item) for item in ("a", "bad", "b")}
        wait_until(lambda: writer.waiting() == 3)
        release.set()
        assert first.result(10) == "FIRST"
        assert futures["a"].result(10) == "A"
        assert futures["b"].result(10) == "B"
        with pytest.raises(ValueError, match="a bad row"):
            futures["bad"].result(10)
    assert sorted(groups[1]) == ["a", "b", "bad"]
    assert sorted(map(tuple, groups[2:])) == [("a",), ("b",), ("bad",)]


def test_a_failed_group_is_retried_by_each_request_on_its_own_thread():
    """A connection lost under a group (a database restart) fails only the leader."""
    # The thread that wrote the failing group lost its connection: everything it writes
    # afterwards fails too, as on a database restart.
    lost = set()
    written = []

    def write_or_lose(items):
        if threading.get_ident() in lost or len(items) > 1:
            lost.add(threading.get_ident())
            raise ConnectionError("server closed the connection unexpectedly")
        written.append((threading.get_ident(), items[0]))
        return [items[0].upper()]

    write_group = HeldFirstGroup(write_or_lose)
    writer = GroupWriter(write_group)

    def write_from_a_thread(item):
        try:
            return threading.get_ident(), writer.write(item)
        except ConnectionError:
            return threading.get_ident(), "failed"

    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(write_from_a_thread, "first")
        write_group.started.wait(10)
        futures = [pool.submit(write_from_a_thread, item) for item in ("a", "b", "c")]
        wait_until(lambda: writer.waiting() == 3)
        write_group.release.set()
        assert first.result(10)[1] == "FIRST"
        outcomes = [future.result(10) for future in futures]

    assert sorted(write_group.groups[1]) == ["a", "b", "c"]
    assert [result for _, result in outcomes].count("failed") == 1, "the leader's own item"
    leader = next(thread for thread, result in outcomes if result == "failed")
    assert lost == {leader}
    retried = {(thread, item.upper()) for thread, item in written if item != "first"}
    assert retried == {(thread, result) for thread, result in outcomes if result != "failed"}


def test_a_group_is_never_larger_than_its_bound():
    write_group = HeldFirstGroup(list)
    groups, started, release = write_group.groups, write_group.started, write_group.release

    writer = GroupWriter(write_group, max_group=3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(writer.write, 0)
        started.wait(10)
        others = [pool.submit(writer.write, n) for n in range(1, 8)]
        wait_until(lambda: writer.waiting() == 7)
        release.set()
        assert [first.result(10)] + [o.result(10) for o in others] == list(range(8))
    assert [len(group) for group in groups] == [1, 3, 3, 1]


@pytest.mark.django_db
def test_insert_new_rows_says_which_rows_were_new_in_row_order():
    WebhookEvent.objects.create(
        event_type="post_call_transcription", conversation_id="old", payload={}
    )
    rows = [
        {"event_type": "post_call_transcription", "conversation_id": "new", "payload": {"n": 1}},
        {"event_type": "post_call_transcription", "conversation_id": "old", "payload": {"n": 2}},
        {"event_type": "post_call_transcription", "conversation_id": "new", "payload": {"n": 3}},
        {"event_type": "post_call_audio", "conversation_id": "new", "payload": {"n": 4}},
    ]

    assert insert_new_rows(WebhookEvent, rows, key=("event_type", "conversation_id")) == [
        True,
        False,
        False,
        True,
    ]
    assert WebhookEvent.objects.get(
        event_type="post_call_transcription", conversation_id="new"
    ).payload == {"n": 1}
    assert WebhookEvent.objects.get(conversation_id="old").payload == {}
    assert WebhookEvent.objects.count() == 3


def test_large_items_are_not_grouped_past_the_size_bound():
    write_group = HeldFirstGroup(list)
    groups, started, release = write_group.groups, write_group.started, write_group.release

    writer = GroupWriter(write_group, size=len, max_size=10)
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(writer.write, "first")
        started.wait(10)
        items = ["aaaa", "bbbb", "cccc", "d" * 30, "e"]
        futures = []
        for item in items:  # queued in this order
            futures.append(pool.submit(writer.write, item))
            queued = len(futures)
            wait_until(lambda queued=queued: writer.waiting() == queued)
        release.set()
        assert first.result(10) == "first"
        assert [future.result(10) for future in futures] == items
    # 4 + 4 fit in 10, a third does not; an item larger than the bound still goes (alone).
    assert groups[1:] == [["aaaa", "bbbb"], ["cccc"], ["d" * 30], ["e"]]
