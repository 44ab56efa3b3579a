"""The ORM broker (no REDIS_URL) looks for tasks quickly while they flow and every `poll`
seconds once the queue has been quiet (voqo/task_broker.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from voqo import task_broker
from voqo.task_broker import ACTIVE_SECONDS, QUICK_POLL, QuickPollingORM

pytestmark = pytest.mark.django_db


class Clock:
    """Stands in for the broker module's `time`: sleeping records the wait and moves on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(task_broker, "time", clock)
    return clock


@pytest.fixture
def broker():
    broker = QuickPollingORM(list_key="voqo-test-broker")
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def queue_task(broker, payload: str) -> int:
    task_id = broker.enqueue(payload)
    # Queued a moment ago: the broker takes tasks whose lock time has passed.
    OrmQ.objects.filter(pk=task_id).update(lock=timezone.now() - timedelta(seconds=1))
    return task_id


def test_a_quiet_queue_is_looked_at_every_poll(broker, clock):
    assert not broker.dequeue()
    assert not broker.dequeue()
    assert clock.waits == [Conf.POLL, Conf.POLL]
    assert QUICK_POLL < Conf.POLL


def test_after_a_task_the_queue_is_looked_at_quickly_until_it_has_been_quiet_a_while(broker, clock):
    task_id = queue_task(broker, "signed task")

    assert broker.dequeue() == [(task_id, "signed task")]
    assert clock.waits == []  # a task was there: no wait before the next look

    assert not broker.dequeue()
    assert clock.waits == [QUICK_POLL]

    clock.now += ACTIVE_SECONDS
    assert not broker.dequeue()
    assert clock.waits == [QUICK_POLL, Conf.POLL]


def test_a_task_taken_is_locked_and_not_handed_out_twice(broker, clock):
    task_id = queue_task(broker, "once")

    assert broker.dequeue() == [(task_id, "once")]
    # Locked until the retry time: another look (or another cluster) does not get it.
    assert OrmQ.objects.get(pk=task_id).lock > timezone.now()
    assert not broker.dequeue()
    assert broker.queue_size() == 0 and broker.lock_size() == 1

    broker.acknowledge(task_id)
    assert not OrmQ.objects.filter(pk=task_id).exists()


def test_a_task_another_worker_holds_does_not_count_as_flow(broker, clock):
    task_id = broker.enqueue("held")
    OrmQ.objects.filter(pk=task_id).update(lock=timezone.now() + timedelta(minutes=2))

    assert not broker.dequeue()
    assert clock.waits == [Conf.POLL]
