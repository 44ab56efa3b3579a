"""DATABASE_URL and REDIS_URL switch the backends without code changes."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRINT_BACKENDS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': settings.DATABASES['default']['NAME'], "
    "'prepare_threshold': settings.DATABASES['default'].get('OPTIONS', {}).get("
    "'prepare_threshold', 'unset'), "
    "'redis': settings.Q_CLUSTER.get('redis'), 'orm': settings.Q_CLUSTER.get('orm')}))"
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


def test_environment_switches_to_postgresql_and_redis():
    backends = _backends(
        DATABASE_URL="postgres://voqo:pw@db.internal:5432/voqo",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    # Django's PostgreSQL backend, with the health check of voqo/postgresql/base.py.
    assert backends["engine"] == "voqo.postgresql"
    assert backends["name"] == "voqo"
    assert backends["redis"] == "redis://cache.internal:6379/0" and backends["orm"] is None
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
