"""A secret an endpoint echoes back is masked in every encoding it can come back in."""

import base64
import html
import json
from urllib.parse import quote, quote_plus

import pytest
from django.urls import reverse

from functions.models import CustomFunction, FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import invoke, make_function

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_localhost")]

# Quotes, backslashes, a slash, non-ASCII and URL-special characters.
PASSWORD = 'pa"ss\\word/é+&=7'
USERNAME = "harbour"


def _encodings(secret: str) -> dict[str, str]:
    basic = base64.b64encode(f"{USERNAME}:{secret}".encode()).decode()
    return {
        "raw": secret,
        "json_escaped": json.dumps(secret)[1:-1],
        "json_escaped_unicode": json.dumps(secret, ensure_ascii=False)[1:-1],
        "url_encoded": quote(secret, safe=""),
        "form_encoded": quote_plus(secret),
        "basic_auth": basic,
    }


def _echoing_function(target, body):
    target.answer("/echo", body)
    return make_function(
        make_agent(),
        endpoint=target.url("/echo"),
        auth_type=CustomFunction.AuthType.BASIC,
        auth_config={"username": USERNAME, "password": PASSWORD},
    )


def _leaks(text: str) -> list[str]:
    found = []
    for name, form in _encodings(PASSWORD).items():
        if form in text or html.escape(form) in text:
            found.append(name)
    return found


@pytest.mark.parametrize("encoding", list(_encodings(PASSWORD)))
def test_an_echoed_secret_never_reaches_the_agent_in_any_encoding(client, target, encoding):
    form = _encodings(PASSWORD)[encoding]
    function = _echoing_function(target, {"debug": f"you sent {form} to us", "ok": True})

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert "••••" in response.json()["debug"]
    assert _leaks(response.content.decode()) == []


def test_a_raw_answer_echoing_every_encoding_is_masked_on_the_test_page(staff_client, target):
    function = _echoing_function(target, {})
    echoed = "\n".join(_encodings(PASSWORD).values()).encode()
    target.answer("/echo", echoed, status=500)  # an error page, shown to staff as received

    response = staff_client.post(
        reverse("functions:test", args=[function.id]), {"address": "1 Beach Rd"}
    )

    page = response.content.decode()
    assert "Response received: HTTP 500" in page
    assert _leaks(page) == []
    assert "Authorization: ••••" in page


def test_an_echoed_secret_in_an_answer_key_or_number_is_masked(client, target):
    function = _echoing_function(target, {PASSWORD: "as key"})
    function.secret_headers = {"X-Agency-Pin": "20261203"}
    function.save()
    target.answer("/echo", {PASSWORD: "as key", "pin": 20261203})

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert _leaks(response.content.decode()) == []
    assert "20261203" not in response.content.decode()
    assert target.requests[-1].headers["x-agency-pin"] == "20261203"


def test_a_secret_in_an_error_message_is_masked_in_the_log(client, target):
    token = 'tok"en\\42'
    function = make_function(
        make_agent(),
        endpoint=target.url("/echo"),
        auth_type=CustomFunction.AuthType.BEARER,
        auth_config={"token": token},
        response_mapping={"price": "data.price"},
    )
    target.answer("/echo", {"data": {}})

    invoke(client, function, {"address": "1 Beach Rd"})

    logged = FunctionInvocation.objects.get()
    assert token not in logged.error
