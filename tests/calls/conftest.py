import json

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_agent
from tests.fakeprovider import elevenlabs_signature, twilio_signature

EL_AGENT_ID = "agent_8701k3example"


@pytest.fixture(autouse=True)
def provider(live_provider_settings):
    """Every calls test talks to the fake ElevenLabs/Twilio server through the live SDKs."""
    return live_provider_settings


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id=EL_AGENT_ID, sync_status="synced")


def post_event(client, event, *, secret="whsec_test", timestamp=None, signature=None):
    """POST an ElevenLabs webhook through the Django test client, signed like ElevenLabs."""
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    headers = {}
    if signature is None:
        signature = elevenlabs_signature(body, secret, timestamp)
    if signature:
        headers["HTTP_ELEVENLABS_SIGNATURE"] = signature
    # Tests run inside a transaction: run what the view queues "after commit" right away.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("elevenlabs_post_call"), data=body, content_type="application/json", **headers
        )


def run_after_commit():
    """Context manager: execute on_commit callbacks queued inside it (tests are atomic)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def post_twilio(client, route_name, params, *, token="test-twilio-token", signature=None):
    """POST a Twilio form webhook signed over the public URL."""
    url = "http://testserver" + reverse(route_name)
    if signature is None:
        signature = twilio_signature(url, params, token)
    return client.post(reverse(route_name), data=params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def database_refusing_call():
    """A database that refuses to store the call with a given conversation id (as a full
    disk or a constraint would): processing its event fails until the trigger is dropped."""
    created: list[str] = []

    def refuse(conversation_id: str) -> str:
        """`conversation_id` may end in % to refuse every id with that prefix."""
        assert conversation_id.replace("_", "").rstrip("%").isalnum()  # quoted into the SQL
        name = f"refuse_call_{len(created)}"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE FUNCTION {name}_fn() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.elevenlabs_conversation_id LIKE '{conversation_id}' THEN "
                    "RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ "
                    "LANGUAGE plpgsql"
                )
                cursor.execute(
                    f"CREATE TRIGGER {name} BEFORE INSERT ON calls "
                    f"FOR EACH ROW EXECUTE FUNCTION {name}_fn()"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER {name} BEFORE INSERT ON calls "
                    f"WHEN NEW.elevenlabs_conversation_id LIKE '{conversation_id}' "
                    f"BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
        created.append(name)
        return name

    def allow(name: str) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON calls")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}_fn()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")

    refuse.allow = allow
    yield refuse
    for name in created:
        allow(name)
