"""The Test button runs a function like a call would and shows request, answer and result."""

import pytest
from django.urls import reverse

from functions.models import CustomFunction, FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import make_function

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_localhost")]

SECRET = "api-key-test-button-31337"


@pytest.fixture
def function(target):
    target.answer("/properties", {"data": {"price": "$1.8M"}, "echo": f"key was {SECRET}"})
    return make_function(
        make_agent(),
        endpoint=target.url("/properties"),
        auth_type=CustomFunction.AuthType.API_KEY,
        auth_config={"header_name": "X-Api-Key", "api_key": SECRET},
        response_mapping={"price": "data.price"},
        parameters={
            "type": "object",
            "properties": {
                "address": {"type": "string", "description": "Street address"},
                "bedrooms": {"type": "integer"},
                "pets": {"type": "boolean"},
                "kind": {"type": "string", "enum": ["house", "unit"]},
                "features": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["address"],
        },
    )


def test_the_test_form_has_one_typed_input_per_parameter(staff_client, function):
    page = staff_client.get(reverse("functions:test", args=[function.id])).content.decode()

    assert 'name="address"' in page and "(required)" in page
    assert 'type="number" name="bedrooms"' in page
    assert 'name="pets"' in page and 'name="kind"' in page and "unit" in page
    assert "<textarea" in page and 'name="features"' in page


def test_running_a_test_shows_the_request_the_answer_and_the_mapped_result(
    staff_client, function, target
):
    response = staff_client.post(
        reverse("functions:test", args=[function.id]),
        {
            "address": "12 Ocean St",
            "bedrooms": "3",
            "pets": "true",
            "kind": '"house"',
            "features": '["pool"]',
        },
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="test-panel"' in page and "<html" not in page  # the HTMX partial
    assert target.requests[-1].json == {
        "address": "12 Ocean St",
        "bedrooms": 3,
        "pets": True,
        "kind": "house",
        "features": ["pool"],
    }
    assert "POST http://localhost:" in page
    assert "X-Api-Key: ••••" in page
    assert "HTTP 200" in page
    assert "&quot;price&quot;: &quot;$1.8M&quot;" in page
    assert SECRET not in page  # neither the header nor the endpoint's echo of it
    invocation = FunctionInvocation.objects.get()
    assert (invocation.source, invocation.status) == ("test", "ok")


def test_a_failed_test_explains_why(staff_client, function, settings):
    settings.ALLOWED_FUNCTION_HOSTS = []

    page = staff_client.post(
        reverse("functions:test", args=[function.id]), {"address": "12 Ocean St"}
    ).content.decode()

    assert "Refused to connect to localhost" in page
    assert "isn&#x27;t available right now" in page


def test_missing_required_arguments_are_marked_on_the_form(staff_client, function, target):
    response = staff_client.post(reverse("functions:test", args=[function.id]), {"bedrooms": "2"})

    assert "This field is required." in response.content.decode()
    assert target.requests == []


def test_values_elevenlabs_fills_in_are_explained_on_the_test_form(staff_client, target):
    function = make_function(
        make_agent(),
        endpoint=target.url("/properties"),
        parameters={
            "type": "object",
            "properties": {
                "caller": {"type": "string", "dynamic_variable": "system__caller_id"},
                "agency": {"type": "string", "constant_value": "harbour"},
            },
        },
    )

    page = staff_client.get(reverse("functions:test", args=[function.id])).content.decode()

    assert "ElevenLabs fills this in from {{system__caller_id}}" in page
    assert "ElevenLabs always sends &#x27;harbour&#x27;" in page


def test_a_function_without_arguments_can_be_tested(staff_client, target):
    function = make_function(
        make_agent(),
        endpoint=target.url("/properties"),
        parameters={"type": "object", "properties": {}},
    )

    response = staff_client.post(reverse("functions:test", args=[function.id]), {})

    assert "This function takes no arguments." in response.content.decode()
    assert FunctionInvocation.objects.get().status == "ok"
