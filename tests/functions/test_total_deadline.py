"""A function's timeout is a total deadline: an endpoint dripping bytes cannot stretch it."""

import json
import urllib.request

import pytest
from django.urls import reverse

from functions.models import FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import invoke, make_function
from tests.voqo.served import gunicorn

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


@pytest.fixture
def gunicorn_server(transactional_db):
    """Voqo under gunicorn (one worker, one thread, an 8 s worker timeout) on the test database."""
    with gunicorn(workers=1, env={"WEB_THREADS": "1", "WEB_TIMEOUT": "8"}) as url:
        yield url


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


def test_finished_exchanges_do_not_pile_up_waiting_for_their_deadline():
    from functions import deadline

    for _ in range(3 * deadline.COMPACT_EVERY):
        deadline.Deadline(60).cancel()  # answered well within its minute

    assert len(deadline._WATCHDOG._due) <= deadline.COMPACT_EVERY
