"""Provider routes (webhooks, tool calls) are served without the middleware for people;
everything else keeps it. Requests go through the WSGI application gunicorn serves."""

from __future__ import annotations

import io
import json
import sys
import uuid

import pytest

from voqo.machine_routes import ByAudience, MachineHandler
from voqo.wsgi import application

INITIATION = "/webhooks/elevenlabs/initiation"


def serve(app, method: str, path: str, body: bytes = b"", **headers: str):
    """One request through the WSGI callable `app`: (status code, headers, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        **{"HTTP_" + name.upper(): value for name, value in headers.items()},
    }
    answer: dict = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    chunks = application_result = app(environ, start_response)
    content = b"".join(chunks)
    if hasattr(application_result, "close"):
        application_result.close()
    return answer["status"], answer["headers"], content


@pytest.mark.django_db(transaction=True)  # the handler closes connections as in production
def test_a_ring_is_answered_without_the_page_middleware_and_a_page_keeps_it(settings):
    body = json.dumps({"caller_id": "+61412345678", "agent_id": "agent_unknown"}).encode()
    status, headers, content = serve(
        application,
        "POST",
        INITIATION,
        body,
        authorization=f"Bearer {settings.ELEVENLABS_INITIATION_TOKEN}",
    )
    assert status == 200, content
    assert json.loads(content)["dynamic_variables"]["caller_phone"] == "+61412345678"
    # Framing protection, sessions and the CSRF cookie are for browsers: not sent here.
    assert "X-Frame-Options" not in headers
    assert "Set-Cookie" not in headers
    assert "Vary" not in headers
    # The security middleware still applies.
    assert headers["X-Content-Type-Options"] == "nosniff"

    status, headers, _ = serve(application, "GET", "/login/")
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in headers.get("Set-Cookie", "")


@pytest.mark.django_db(transaction=True)  # the handler closes connections as in production
def test_a_wrong_token_is_still_refused_on_the_lean_stack():
    body = json.dumps({"caller_id": "+61412345678", "agent_id": "agent_x"}).encode()
    status, _, content = serve(application, "POST", INITIATION, body, authorization="Bearer no")
    assert status == 401
    assert json.loads(content) == {"error": "Missing or wrong bearer token."}


@pytest.mark.django_db(transaction=True)  # the handler closes connections as in production
def test_pages_beside_provider_routes_still_ask_for_a_sign_in():
    # The tool-call route lives beside the functions pages; only the route itself is lean.
    function_page = f"/functions/{uuid.uuid4()}/edit/"
    status, headers, _ = serve(application, "GET", function_page)
    assert status == 302
    assert headers["Location"].startswith("/login/")
    # A path under /webhooks/ that is no provider route goes to the site as any other.
    status, headers, _ = serve(application, "GET", "/webhooks/elevenlabs/not-a-route")
    assert status == 404
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db(transaction=True)  # the handler closes connections as in production
def test_a_tool_call_route_is_lean_and_still_checks_its_token():
    status, headers, content = serve(application, "POST", f"/functions/{uuid.uuid4()}/invoke")
    assert status == 401
    assert json.loads(content) == {"error": "Invalid or missing function token."}
    assert "X-Frame-Options" not in headers


@pytest.mark.django_db(transaction=True)  # the handler closes connections as in production
def test_another_agencys_or_an_unknown_agencys_webhook_address_answers_404():
    for path in (
        f"/webhooks/elevenlabs/{uuid.uuid4()}/post-call",
        f"/webhooks/elevenlabs/{uuid.uuid4()}/initiation",
    ):
        status, headers, content = serve(application, "POST", path, b"{}")
        assert status == 404, path
        assert "agency" in json.loads(content)["error"].lower()
        assert "X-Frame-Options" not in headers


def test_an_error_in_a_provider_view_is_a_500_answer_not_a_crash(settings):
    settings.MACHINE_URLCONF = "tests.voqo.machine_urls_with_a_broken_webhook"
    machines = MachineHandler()
    app = ByAudience(lambda environ, start: pytest.fail("sent to the people stack"), machines)
    status, headers, _ = serve(app, "POST", "/webhooks/broken", b"{}")
    assert status == 500
    assert "X-Frame-Options" not in headers
