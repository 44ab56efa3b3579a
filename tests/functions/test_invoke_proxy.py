"""The tool proxy ElevenLabs calls: POST /functions/<id>/invoke."""

import base64

import pytest

from functions.models import CustomFunction, FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import invoke, make_function

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_localhost")]


@pytest.fixture
def agent():
    return make_agent(name="Lisa")


def test_post_function_sends_arguments_as_json_and_returns_the_answer(client, agent, target):
    target.answer("/properties", {"status": "available", "price": "$1.8M"})
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, {"address": "12 Ocean Street", "bedrooms": 3})

    assert response.status_code == 200
    assert response.json() == {"status": "available", "price": "$1.8M"}
    sent = target.requests[-1]
    assert sent.method == "POST"
    assert sent.json == {"address": "12 Ocean Street", "bedrooms": 3}
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["host"] == f"localhost:{target.port}"


def test_get_function_sends_arguments_as_query_parameters(client, agent, target):
    function = make_function(
        agent, endpoint=target.url("/properties?agency=harbour"), method=CustomFunction.Method.GET
    )

    invoke(client, function, {"address": "12 Ocean Street", "bedrooms": 2})

    sent = target.requests[-1]
    assert sent.method == "GET"
    assert sent.body == b""
    assert sent.query == {"agency": ["harbour"], "address": ["12 Ocean Street"], "bedrooms": ["2"]}


def test_configured_headers_are_sent(client, agent, target):
    function = make_function(
        agent, endpoint=target.url("/properties"), headers={"X-Agency": "harbour-realty"}
    )

    invoke(client, function, {"address": "1 Beach Rd"})

    assert target.requests[-1].headers["x-agency"] == "harbour-realty"


def test_api_key_auth_sends_the_key_in_the_named_header(client, agent, target):
    function = make_function(
        agent,
        endpoint=target.url("/properties"),
        auth_type=CustomFunction.AuthType.API_KEY,
        auth_config={"header_name": "X-Api-Key", "api_key": "key-live-1234"},
    )

    assert invoke(client, function, {"address": "1 Beach Rd"}).status_code == 200

    assert target.requests[-1].headers["x-api-key"] == "key-live-1234"


def test_bearer_auth_sends_an_authorization_header(client, agent, target):
    function = make_function(
        agent,
        endpoint=target.url("/properties"),
        auth_type=CustomFunction.AuthType.BEARER,
        auth_config={"token": "tok-abc-987"},
    )

    invoke(client, function, {"address": "1 Beach Rd"})

    assert target.requests[-1].headers["authorization"] == "Bearer tok-abc-987"


def test_basic_auth_sends_encoded_credentials(client, agent, target):
    function = make_function(
        agent,
        endpoint=target.url("/properties"),
        auth_type=CustomFunction.AuthType.BASIC,
        auth_config={"username": "harbour", "password": "s3cret-pass"},
    )

    invoke(client, function, {"address": "1 Beach Rd"})

    expected = base64.b64encode(b"harbour:s3cret-pass").decode()
    assert target.requests[-1].headers["authorization"] == f"Basic {expected}"


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_a_wrong_or_missing_token_is_refused_and_nothing_is_called(client, agent, target, token):
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, {"address": "1 Beach Rd"}, token=token)

    assert response.status_code == 401
    assert target.requests == []
    assert not FunctionInvocation.objects.exists()


def test_an_unknown_function_is_refused_like_a_wrong_token(client, agent):
    function = make_function(agent)
    function_id, token = function.id, function.invocation_token
    function.delete()
    function.id = function_id

    response = invoke(client, function, {"address": "1 Beach Rd"}, token=token)

    assert response.status_code == 401


def test_only_post_is_accepted(client, agent):
    function = make_function(agent)
    assert client.get(f"/functions/{function.id}/invoke").status_code == 405


def test_a_disabled_function_answers_200_with_a_message_for_the_agent(client, agent, target):
    function = make_function(agent, endpoint=target.url("/properties"), enabled=False)

    response = invoke(client, function, {"address": "1 Beach Rd"})

    # ElevenLabs hides a tool's HTTP errors from the agent: the body is what it reads.
    assert response.status_code == 200
    assert response.json() == {
        "error": "This tool is switched off.",
        "hint": "Tell the caller you'll check and get back to them; don't try again in this call.",
    }
    assert target.requests == []
    assert FunctionInvocation.objects.get().error == "Called while disabled."


def test_arguments_that_break_the_schema_tell_the_agent_to_ask_again(client, agent, target):
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, {"bedrooms": "three"})

    assert response.status_code == 200
    answer = response.json()
    assert answer["error"].startswith("Some details were missing or invalid: ")
    assert answer["hint"] == "Ask the caller for the missing or corrected details, then try again."
    violations = answer["violations"]
    assert any("'address' is a required property" in v for v in violations)
    assert any(v.startswith("bedrooms:") and "'integer'" in v for v in violations)
    assert target.requests == []
    logged = FunctionInvocation.objects.get()
    assert logged.status == "error" and "schema" in logged.error


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"text"'])
def test_a_body_that_is_not_a_json_object_is_reported_to_the_agent(client, agent, target, body):
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, raw_body=body)

    assert response.status_code == 200
    assert response.json()["violations"] == ["The arguments must be a JSON object."]
    assert target.requests == []


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_arguments_are_refused_with_400(client, agent, target, depth):
    function = make_function(agent, endpoint=target.url("/properties"))
    body = '{"address": ' + "[" * depth + "]" * depth + "}"

    response = invoke(client, function, raw_body=body, headers={"X-Conversation-Id": "conv_9"})

    assert response.status_code == 400
    assert response.json()["error"] == "The arguments nest deeper than 32 levels."
    assert target.requests == []
    logged = FunctionInvocation.objects.get()
    assert (logged.status, logged.conversation_id) == ("error", "conv_9")
    assert "deeper than 32 levels" in logged.error


def test_an_endpoint_answer_nested_too_deeply_is_not_passed_on(client, agent, target):
    target.answer("/properties", b"[" * 50_000 + b"]" * 50_000)
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    assert response.json()["error"] == "The property system couldn't answer that request."
    assert "deeper than 32 levels" in FunctionInvocation.objects.get().error


def test_an_endpoint_slower_than_the_timeout_gets_an_agent_friendly_answer(client, agent, target):
    function = make_function(agent, endpoint=target.url("/slow"), timeout=1)

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    assert response.json() == {
        "error": "The property system didn't answer in time.",
        "hint": "Tell the caller you'll check and get back to them; don't try again in this call.",
    }
    logged = FunctionInvocation.objects.get()
    assert logged.status == "error"
    # The endpoint gets a little less than the agent waits, so this answer reaches the agent.
    assert "did not answer within 0.8 s" in logged.error


def test_an_endpoint_error_status_is_reported_without_internals(client, agent, target):
    target.answer("/properties", {"trace": "NullPointerException at db.py:42"}, status=500)
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    assert "NullPointer" not in response.content.decode()
    assert response.json()["error"] == "The property system couldn't answer that request."
    assert "get back to them" in response.json()["hint"]
    logged = FunctionInvocation.objects.get()
    assert (logged.status, logged.http_status) == ("error", 500)


@pytest.mark.parametrize("status", [400, 404, 422])
def test_an_endpoint_refusing_the_details_has_the_agent_check_them_with_the_caller(
    client, agent, target, status
):
    target.answer("/properties", {"message": "no listing at that address"}, status=status)
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    answer = response.json()
    assert answer["error"] == "The property system couldn't find or accept those details."
    assert answer["hint"].startswith("Check the details with the caller")
    assert FunctionInvocation.objects.get().http_status == status


def test_an_oversized_answer_is_refused(client, agent, target):
    target.answer("/properties", b"x" * (300 * 1024))
    function = make_function(agent, endpoint=target.url("/properties"))

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert "too large" in response.json()["error"]
    assert "bytes" in FunctionInvocation.objects.get().error


def test_the_response_mapping_shapes_what_the_agent_reads(client, agent, target):
    target.answer(
        "/properties",
        {
            "data": {"items": [{"price": "$1.8M", "address": "12 Ocean St"}, {"address": "3 Bay"}]},
            "noise": "x" * 100,
        },
    )
    function = make_function(
        agent,
        endpoint=target.url("/properties"),
        response_mapping={
            "price": "data.items[0].price",
            "addresses": "data.items[*].address",
            "agent_name": "data.agent.name",
        },
    )

    response = invoke(client, function, {"address": "12 Ocean St"})

    assert response.json() == {
        "price": "$1.8M",
        "addresses": ["12 Ocean St", "3 Bay"],
        "agent_name": None,
    }
    logged = FunctionInvocation.objects.get()
    assert logged.status == "ok"
    assert logged.error == "Not found in the answer: agent_name"


@pytest.mark.parametrize(
    "answer, logged_error",
    [
        ({"error": "no such listing"}, "None of the mapped outputs is in the answer: price"),
        (b"<html>Service Unavailable</html>", "The answer is not JSON"),
    ],
)
def test_an_answer_the_mapping_finds_nothing_in_is_an_error_for_the_agent(
    client, agent, target, answer, logged_error
):
    target.answer("/properties", answer)
    function = make_function(
        agent, endpoint=target.url("/properties"), response_mapping={"price": "data.price"}
    )

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    assert response.json() == {
        "error": "The property system's answer didn't include the expected details.",
        "hint": "Tell the caller you'll check and get back to them; don't try again in this call.",
    }
    logged = FunctionInvocation.objects.get()
    assert logged.status == "error" and logged.http_status == 200
    assert logged_error in logged.error


def test_secrets_echoed_by_the_endpoint_never_reach_the_agent(client, agent, target):
    target.answer("/properties", {"debug": "called with Bearer tok-echo-555"})
    function = make_function(
        agent,
        endpoint=target.url("/properties"),
        auth_type=CustomFunction.AuthType.BEARER,
        auth_config={"token": "tok-echo-555"},
    )

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert "tok-echo-555" not in response.content.decode()


def test_every_invocation_is_logged_with_its_conversation(client, agent, target):
    function = make_function(agent, endpoint=target.url("/properties"))

    # The header is what ElevenLabs fills in from system__conversation_id (see tool sync).
    invoke(client, function, {"address": "2 Beach Rd"}, headers={"X-Conversation-Id": "conv_h_2"})
    invoke(client, function, {"address": "1 Beach Rd", "conversation_id": "conv_body_1"})

    # conversation_id is not in the schema: it is taken out before validation and the call.
    assert target.requests[1].json == {"address": "1 Beach Rd"}
    logged = FunctionInvocation.objects.order_by("created_at")
    assert [i.conversation_id for i in logged] == ["conv_h_2", "conv_body_1"]
    assert all(i.status == "ok" and i.http_status == 200 for i in logged)
    assert all(i.source == "agent" for i in logged)


@pytest.mark.parametrize("header", ["{{system__conversation_id}}", "conv 1; drop", "x" * 129])
def test_a_conversation_header_that_is_not_an_id_is_not_logged_as_one(
    client, agent, target, header
):
    function = make_function(agent, endpoint=target.url("/properties"))

    invoke(client, function, {"address": "1 Beach Rd"}, headers={"X-Conversation-Id": header})

    assert FunctionInvocation.objects.get().conversation_id == ""


def test_a_conversation_id_declared_in_the_schema_is_passed_on(client, agent, target):
    schema = {
        "type": "object",
        "properties": {"conversation_id": {"type": "string"}},
        "required": ["conversation_id"],
    }
    function = make_function(agent, endpoint=target.url("/properties"), parameters=schema)

    invoke(client, function, {"conversation_id": "conv_777"})

    assert target.requests[-1].json == {"conversation_id": "conv_777"}
    assert FunctionInvocation.objects.get().conversation_id == "conv_777"


def test_https_endpoints_are_verified_against_the_host_name(client, agent, target):
    # The target speaks plain HTTP: the TLS handshake fails, and says so in the log.
    function = make_function(agent, endpoint=f"https://localhost:{target.port}/properties")

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert "couldn't be reached" in response.json()["error"]
    assert FunctionInvocation.objects.get().error == "The TLS connection to localhost failed."
