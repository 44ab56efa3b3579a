"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache
operation. redis-py 8 fills each new client's table of ~170 response callbacks (a
case-insensitive dict, one `str.upper()` per entry), which cost more than the Redis round
trip itself: ~150 µs of a ring's answer on PostgreSQL + Redis, where the initiation webhook
makes one cache read. A `redis.Redis` is safe to share between threads (each command takes
a connection from the pool), so each process keeps one per pool.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class ClientPerPool(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}  # connection pool -> its redis.Redis

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            # Two threads may both build one here; either is as good, and one is kept.
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ClientPerPool
