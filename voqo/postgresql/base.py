"""Django's PostgreSQL backend, with the per-request health check skipped for a connection
that a request used a moment ago.

Django checks a persistent connection (`SELECT 1`) before the first query of every request:
one more round trip on every webhook, a sixth of the ring's throughput under load. A
connection that finished a request without error less than RECENTLY_GOOD ago is taken as
alive. Should the server have gone away in that second, the request's query fails, Django
sees the error when the request ends and closes the connection, and the next request opens
a fresh one; a connection that sat idle longer is checked as before.
"""

import time

from django.db.backends.postgresql import base

RECENTLY_GOOD = 1.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._good_at = float("-inf")

    def close_if_unusable_or_obsolete(self):
        # Called as each request (or task) starts and ends; a connection still open here
        # had no unrecoverable error.
        super().close_if_unusable_or_obsolete()
        if self.connection is None:
            return
        now = time.monotonic()
        if now - self._good_at < RECENTLY_GOOD:
            self.health_check_done = True
        self._good_at = now
