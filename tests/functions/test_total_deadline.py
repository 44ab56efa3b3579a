"""A function's timeout is a total deadline: an endpoint dripping bytes cannot stretch it."""

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from functions.models import FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import invoke, make_function

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_localhost")]

NO_ARGUMENTS = {"type": "object", "properties": {}}


def _dripping_function(drip, mode):
    drip.mode = mode
    # timeout=1 (below the form's minimum of 5, to keep the test short): a 0.8 s deadline,
    # while the endpoint needs 60 s to answer in full.
    return make_function(make_agent(), endpoint=drip.url(), timeout=1, parameters=NO_ARGUMENTS)


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_an_endpoint_dripping_its_answer_is_cut_off_at_the_deadline(client, drip, mode):
    function = _dripping_function(drip, mode)

    response = invoke(client, function, {})

    assert response.status_code == 200
    assert response.json()["error"] == "The property system didn't answer in time."
    logged = FunctionInvocation.objects.get()
    assert (logged.status, logged.error) == ("error", "localhost did not answer within 0.8 s.")
    # The connection was closed on the endpoint long before it finished its answer.
    assert drip.cut.wait(timeout=10)
    assert not drip.finished.is_set()
    assert drip.bytes_sent < drip.length


def test_the_test_button_answers_at_the_deadline_with_a_clear_message(staff_client, drip):
    function = _dripping_function(drip, "body")

    response = staff_client.post(reverse("functions:test", args=[function.id]), {})

    assert response.status_code == 200
    page = response.content.decode()
    assert "localhost did not answer within 0.8 s." in page
    assert "The property system didn&#x27;t answer in time." in page
    logged = FunctionInvocation.objects.get()
    assert (logged.source, logged.status) == ("test", "error")
    assert drip.cut.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_server(transactional_db):
    """Voqo under gunicorn (one sync worker, 8 s worker timeout) on the test database."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "ALLOWED_FUNCTION_HOSTS": "localhost",
    }
    command = [sys.executable, "-m", "gunicorn", "voqo.wsgi:application"]
    options = ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "8"]
    process = subprocess.Popen(
        [*command, *options],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # until it listens (or 20 s)
            try:
                urllib.request.urlopen(f"{base_url}/health", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("gunicorn exited at start-up")
                threading.Event().wait(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_under_gunicorn_a_dripping_endpoint_gets_the_agent_an_answer_not_a_dead_worker(
    gunicorn_server, drip
):
    # 6 s for the agent (5 s for the endpoint), a worker timeout of 8 s, and an endpoint that
    # needs 5 minutes: without the total deadline gunicorn kills the worker mid-request and
    # the tool call gets no answer at all.
    function = _dripping_function(drip, "body")
    function.timeout = 6
    function.save(update_fields=["timeout"])
    drip.interval = 0.5
    request = urllib.request.Request(
        f"{gunicorn_server}/functions/{function.id}/invoke",
        data=b"{}",
        headers={
            "Content-Type": "application/json",
            "X-Voqo-Function-Token": function.invocation_token,
            "X-Conversation-Id": "conv_gunicorn_1",
        },
        method="POST",
    )

    with urllib.request.urlopen(request, timeout=30) as response:
        status, answer = response.status, json.loads(response.read())

    assert status == 200
    assert answer["error"] == "The property system didn't answer in time."
    logged = FunctionInvocation.objects.get()
    assert logged.conversation_id == "conv_gunicorn_1"
    assert logged.error == "localhost did not answer within 5 s."
    assert drip.cut.wait(timeout=10)
