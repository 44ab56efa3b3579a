"""django-q2's ORM broker (the task queue without Redis), polling quickly while tasks flow.

The ORM broker looks for queued tasks, and when it finds none it sleeps `poll` seconds
(Q_CLUSTER) before it looks again, so a task waits half that on average before a worker
starts it. On the post-call path that wait comes twice — the webhook queues the drain, the
drain's outcome queues the dispatch that refills the campaign's slot — and at 0.1 s the
freed slot of a campaign call was refilled a median 0.19 s after the call ended (bench e,
real path).

Here the broker looks every QUICK_POLL seconds for ACTIVE_SECONDS after it last found a
task, and every `poll` seconds once the queue has been quiet that long: an idle worker
keeps its light footprint, and a busy one (a campaign, a burst of calls) starts each task
within QUICK_POLL (10 ms on average). With Redis (REDIS_URL) django-q2's Redis broker blocks on the
queue instead and this class is not used.
"""

from __future__ import annotations

import time

from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf

QUICK_POLL = 0.02  # seconds
ACTIVE_SECONDS = 10.0


class QuickPollingORM(ORM):
    """django-q2's ORM broker; only the wait between empty looks differs."""

    _active_until = 0.0

    def dequeue(self):
        # The connection is checked once per look; django-q2's own broker checks it again
        # before locking each task.
        queue = self.get_connection()
        tasks = queue.filter(key=self.list_key, lock__lt=timezone.now())[: Conf.BULK]
        if tasks:
            self._active_until = time.monotonic() + ACTIVE_SECONDS
            taken = []
            for task in tasks:
                # Another cluster may have taken it since the read: the lock decides.
                locked = queue.filter(id=task.id, lock=task.lock).update(lock=self.timeout(task))
                if locked:
                    taken.append((task.pk, task.payload))
            return taken
        time.sleep(QUICK_POLL if time.monotonic() < self._active_until else Conf.POLL)
        return None
