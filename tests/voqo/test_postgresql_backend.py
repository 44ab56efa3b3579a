"""On PostgreSQL: the webhooks' statements run prepared, and the per-request health check
skips a connection in steady use without ever leaving more than one request on a dead one."""

import time

import pytest
from django.db import OperationalError, connection, connections

from contacts.models import Contact
from tests.calls.conftest import post_event
from tests.factories import make_agent, make_contact
from tests.fakeprovider import load_payload

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in `make test-postgres`"),
    pytest.mark.django_db,
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_the_rings_caller_lookup_and_the_post_call_insert_run_prepared(client):
    make_agent(name="Lisa", elevenlabs_agent_id="agent_sales")
    make_contact(name="Priya", phone="+61412345678")
    ring = {"caller_id": "+61412345678", "agent_id": "agent_sales", "called_number": ""}

    for _ in range(2):
        answer = client.post(
            "/webhooks/elevenlabs/initiation",
            ring,
            content_type="application/json",
            headers={"Authorization": "Bearer init-token-test"},
        )
        assert answer.json()["dynamic_variables"]["caller_name"] == "Priya"
    assert post_event(client, load_payload("post_call_transcription__silent")).status_code == 200

    statements = prepared_statements()
    contacts = f'"{Contact._meta.db_table}"'
    assert sum(contacts in s and "$1" in s for s in statements) == 1  # once, not per ring
    assert any('INSERT INTO "webhook_events"' in s for s in statements)


def _terminate(other) -> None:
    pid = other.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            # Within the test's transaction the activity view is a snapshot: renew it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
            time.sleep(0.05)
    raise AssertionError("the backend did not go away")


def test_a_connection_that_died_costs_at_most_one_request(monkeypatch):
    from voqo.postgresql import base

    other = connections.create_connection("default")

    def request() -> bool:
        """What a request does with its connection: Django's checks as it starts and ends."""
        other.close_if_unusable_or_obsolete()
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except OperationalError:
            return False
        finally:
            other.close_if_unusable_or_obsolete()

    try:
        assert request() and request()
        # Used a moment ago: not checked before the query, so one request meets the dead
        # connection; the next runs on a fresh one.
        monkeypatch.setattr(base, "RECENTLY_GOOD", 3600.0)
        _terminate(other)
        assert not request()
        assert request()
        # Idle for longer than RECENTLY_GOOD: checked first, so no request fails.
        monkeypatch.setattr(base, "RECENTLY_GOOD", 0.0)
        _terminate(other)
        assert request()
    finally:
        other.close()
