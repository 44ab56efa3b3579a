"""DATABASE_URL and REDIS_URL switch the backends without code changes."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

PRINT_BACKENDS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': settings.DATABASES['default']['NAME'], "
    "'prepare_threshold': settings.DATABASES['default'].get('OPTIONS', {}).get("
    "'prepare_threshold', 'unset'), "
    "'cache': settings.CACHES['default']['BACKEND'], "
    "'redis': settings.Q_CLUSTER.get('redis'), 'orm': settings.Q_CLUSTER.get('orm'), "
    "'broker_class': settings.Q_CLUSTER.get('broker_class')}))"
)


def _backends(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(env, DJANGO_SETTINGS_MODULE="voqo.settings")
    output = subprocess.run(
        [sys.executable, "-c", PRINT_BACKENDS],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_defaults_are_sqlite_and_the_orm_broker():
    backends = _backends()
    assert backends["engine"] == "django.db.backends.sqlite3"
    assert backends["name"].endswith("voqo.db")
    assert backends["orm"] == "default" and backends["redis"] is None
    # django-q2's ORM broker, looking quickly while tasks flow (voqo/task_broker.py).
    assert backends["broker_class"] == "voqo.task_broker.QuickPollingORM"


def test_environment_switches_to_postgresql_and_redis():
    backends = _backends(
        DATABASE_URL="postgres://voqo:pw@db.internal:5432/voqo",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    # Django's PostgreSQL backend, with the health check of voqo/postgresql/base.py.
    assert backends["engine"] == "voqo.postgresql"
    assert backends["name"] == "voqo"
    assert backends["redis"] == "redis://cache.internal:6379/0" and backends["orm"] is None
    assert backends["broker_class"] is None  # django-q2's Redis broker blocks on the queue
    assert backends["cache"] == "voqo.redis_cache.RedisCache"
    # Webhook statements are prepared at their first run on a connection…
    assert backends["prepare_threshold"] == 0


def test_prepared_statements_can_be_turned_off_for_an_old_pgbouncer():
    backends = _backends(
        DATABASE_URL="postgres://voqo:pw@db.internal:5432/voqo",
        DATABASE_PREPARED_STATEMENTS="off",
    )
    assert backends["prepare_threshold"] is None


@pytest.mark.skipif(not settings.REDIS_URL, reason="runs in `make test-postgres`")
@pytest.mark.django_db
def test_tasks_round_trip_through_the_redis_broker():
    from django_q.brokers import get_broker
    from django_q.brokers.redis_broker import Redis
    from django_q.signing import SignedPackage

    broker = get_broker("voqo-scale-path-test")
    assert isinstance(broker, Redis)
    broker.purge_queue()
    broker.enqueue(SignedPackage.dumps({"id": "t1", "func": "math.floor", "args": (1.5,)}))
    [(ack_id, package)] = broker.dequeue()
    assert SignedPackage.loads(package)["func"] == "math.floor"
    broker.acknowledge(ack_id)


@pytest.mark.skipif(not settings.REDIS_URL, reason="runs in `make test-postgres`")
def test_the_redis_cache_works_with_one_client_per_process():
    from django.core.cache import caches
    from django.test import override_settings

    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "voqo.redis_cache.RedisCache",
                "LOCATION": settings.REDIS_URL,
                "KEY_PREFIX": "voqo-cache-test",
            }
        }
    ):
        cache = caches["default"]
        cache.clear()
        cache.set_many({"a": {"agency": 1}, "b": [1, 2]}, 30)
        assert cache.get_many(["a", "b", "missing"]) == {"a": {"agency": 1}, "b": [1, 2]}
        assert cache.add("a", "other") is False
        assert cache.add("n", 1) is True
        assert cache.incr("n") == 2
        cache.delete("a")
        assert cache.get("a") is None
        # Every operation goes through the same redis-py client (building one per call
        # cost more than the round trip).
        assert cache._cache.get_client() is cache._cache.get_client(write=True)
        cache.clear()


@pytest.mark.skipif(not settings.REDIS_URL, reason="runs in `make test-postgres`")
def test_recent_reads_are_answered_by_this_process_until_they_expire_or_it_writes():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache as DjangosRedisCache
    from django.test import override_settings

    location, prefix = settings.REDIS_URL, "voqo-recent-test"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "voqo.redis_cache.RedisCache",
                "LOCATION": location,
                "KEY_PREFIX": prefix,
            }
        }
    ):
        cache = caches["default"]
        cache.clear()
        # Another process: a cache client that shares nothing with this one but Redis.
        elsewhere = DjangosRedisCache(location, {"KEY_PREFIX": prefix})
        cache.set_many({"kept": {"agent": "Lisa"}, "brief": {"agent": "Lisa"}}, 30)

        first = cache.get_many_recent(["kept", "missing"], 60)
        assert first == {"kept": {"agent": "Lisa"}}
        first["kept"]["agent"] = "changed by its reader"
        cache.get_many_recent(["brief"], 0.05)
        elsewhere.set_many({"kept": {"agent": "Tom"}, "brief": {"agent": "Tom"}}, 30)

        # This process's copy answers (a new object each time) until it expires…
        assert cache.get_many_recent(["kept"], 60) == {"kept": {"agent": "Lisa"}}
        time.sleep(0.1)
        assert cache.get_many_recent(["brief"], 0.05) == {"brief": {"agent": "Tom"}}
        # …and its own writes and deletes are seen at once.
        cache.set("kept", {"agent": "Mia"}, 30)
        assert cache.get_many_recent(["kept"], 60) == {"kept": {"agent": "Mia"}}
        cache.delete("kept")
        assert cache.get_many_recent(["kept", "brief"], 60) == {"brief": {"agent": "Tom"}}
        cache.clear()
