"""Django's Redis cache, with one redis-py client per connection pool instead of one per call,
and reads that may be answered from what this process heard from Redis a moment ago.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache
operation. redis-py 8 fills each new client's table of ~170 response callbacks (a
case-insensitive dict, one `str.upper()` per entry), which cost more than the Redis round
trip itself: ~150 µs of a ring's answer on PostgreSQL + Redis, where the initiation webhook
makes one cache read. A `redis.Redis` is safe to share between threads (each command takes
a connection from the pool), so each process keeps one per pool.

`get_many_recent(keys, within)` is for the ring's answer, which reads the same few profiles
on every call: under load that Redis round trip was a quarter of the answer's cost. Values
Redis gave this process less than `within` seconds ago are answered from the process's own
copy (kept as Redis's bytes, so each caller still gets its own object). Any write or delete
of a key through this process drops its copy at once; another process's change is seen
within `within` seconds. Without Redis (`get_many_recent()` below) the cache is the
process's own anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends import redis as django_redis

RECENT_SECONDS = 1.0
# Copies kept per Redis location before the expired ones are swept (each a few hundred bytes).
RECENT_KEPT = 4096

# Per process, shared by every thread's cache instance: location -> key -> (until, bytes).
_recent_by_location: dict[tuple[str, ...], dict[str, tuple[float, bytes]]] = {}
_recent_lock = threading.Lock()


class ClientPerPool(django_redis.RedisCacheClient):
    def __init__(self, servers, **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[Any, Any] = {}  # connection pool -> its redis.Redis
        with _recent_lock:
            self._recent = _recent_by_location.setdefault(tuple(servers), {})

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            # Two threads may both build one here; either is as good, and one is kept.
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client

    def get_many_recent(self, keys: list[str], within: float) -> dict[str, Any]:
        now = time.monotonic()
        raw: dict[str, bytes] = {}
        missing = []
        for key in keys:
            copy = self._recent.get(key)
            if copy is not None and copy[0] > now:
                raw[key] = copy[1]
            else:
                missing.append(key)
        if missing:
            until = now + within
            heard = self.get_client(None).mget(missing)
            if len(self._recent) >= RECENT_KEPT:
                self._sweep(now)
            for key, value in zip(missing, heard, strict=True):
                if value is not None:
                    raw[key] = value
                    self._recent[key] = (until, value)
        return {key: self._serializer.loads(value) for key, value in raw.items()}

    def _sweep(self, now: float) -> None:
        with _recent_lock:
            for key, (until, _) in list(self._recent.items()):
                if until <= now:
                    self._recent.pop(key, None)
            if len(self._recent) >= RECENT_KEPT:
                self._recent.clear()

    def _forget(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._recent.pop(key, None)

    # Every write drops this process's copy of the keys it writes, once it is written (a read
    # that raced the write may have kept the old value until then).

    def add(self, key, value, timeout):
        added = super().add(key, value, timeout)
        self._forget([key])
        return added

    def set(self, key, value, timeout):
        super().set(key, value, timeout)
        self._forget([key])

    def set_many(self, data, timeout):
        super().set_many(data, timeout)
        self._forget(data)

    def delete(self, key):
        deleted = super().delete(key)
        self._forget([key])
        return deleted

    def delete_many(self, keys):
        keys = list(keys)
        super().delete_many(keys)
        self._forget(keys)

    def incr(self, key, delta):
        value = super().incr(key, delta)
        self._forget([key])
        return value

    def clear(self):
        cleared = super().clear()
        self._recent.clear()
        return cleared


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ClientPerPool

    def get_many_recent(self, keys: Iterable[str], within: float, version=None) -> dict:
        """get_many, answered from this process's copy of what Redis said less than
        `within` seconds ago where it has one (see the module's docstring)."""
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        found = self._cache.get_many_recent(list(key_map), within)
        return {key_map[made]: value for made, value in found.items()}


def get_many_recent(keys: Iterable[str], within: float = RECENT_SECONDS) -> dict:
    """The default cache's values of `keys`; with Redis, values it gave this process less
    than `within` seconds ago may be answered without asking it again."""
    read = getattr(cache, "get_many_recent", None)
    return read(keys, within) if read is not None else cache.get_many(keys)
