"""Staff manage an agent's custom functions: list, create, edit, toggle, delete."""

import json

import pytest
from django.urls import reverse

from functions.models import CustomFunction, FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import PROPERTY_SCHEMA, make_function

pytestmark = pytest.mark.django_db

API_KEY = "key-9f8e7d6c5b4a-secret"
BEARER = "bearer-0a1b2c3d-secret"
PASSWORD = "basic-pw-secret-77"


@pytest.fixture
def agent():
    return make_agent(name="Lisa")


def _form_data(**overrides):
    data = {
        "name": "check_property",
        "description": "Check whether a property is available.",
        "method": "POST",
        "endpoint": "https://api.example.com/properties",
        "headers_name": ["X-Agency", ""],
        "headers_value": ["harbour", ""],
        "auth_type": "api_key",
        "api_key_header": "X-Api-Key",
        "api_key": API_KEY,
        "parameters": json.dumps(PROPERTY_SCHEMA),
        "response_mapping": json.dumps({"price": "data.items[0].price"}),
        "timeout": "8",
        "enabled": "on",
    }
    data.update(overrides)
    return data


def test_the_functions_tab_lists_the_agents_functions(staff_client, agent):
    make_function(agent, name="check_property", method="GET")
    make_function(make_agent(name="Other"), name="other_agents_function")

    response = staff_client.get(reverse("functions:list", args=[agent.id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "check_property" in page and "other_agents_function" not in page
    assert 'aria-current="page">Custom functions' in page
    assert reverse("functions:create", args=[agent.id]) in page


def test_creating_a_function_stores_it_and_its_encrypted_auth(staff_client, agent):
    response = staff_client.post(reverse("functions:create", args=[agent.id]), _form_data())

    assert response.status_code == 302
    function = CustomFunction.objects.get(agent=agent)
    assert function.headers == {"X-Agency": "harbour"}
    assert function.auth_config == {"header_name": "X-Api-Key", "api_key": API_KEY}
    assert function.parameters == PROPERTY_SCHEMA
    assert function.response_mapping == {"price": "data.items[0].price"}
    assert function.timeout == 8 and function.enabled
    assert function.elevenlabs_tool_id  # synced (sandbox provider)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "check property"}, "name", "no spaces"),
        ({"name": "x" * 65}, "name", "at most 64 characters"),
        ({"parameters": "{not json"}, "parameters", "not valid JSON"),
        ({"parameters": '{"type": "array"}'}, "parameters", 'must be "object"'),
        (
            {"parameters": '{"type": "object", "properties": {"a": {"type": "strin"}}}'},
            "parameters",
            "not a valid JSON Schema",
        ),
        ({"response_mapping": '{"price": "data..price"}'}, "response_mapping", "not a valid path"),
        ({"response_mapping": '["data.price"]'}, "response_mapping", "JSON object"),
        ({"timeout": "121"}, "timeout", "less than or equal to 120"),
        ({"timeout": "4"}, "timeout", "greater than or equal to 5"),
        ({"endpoint": "ftp://files.example.com/x"}, "endpoint", "valid URL"),
        ({"endpoint": "https://user:pw@api.example.com/"}, "endpoint", "credentials"),
        ({"api_key": ""}, "api_key", "Enter the API key"),
        ({"headers_name": ["Bad Header"], "headers_value": ["x"]}, "headers", "valid header"),
        ({"headers_name": ["Host"], "headers_value": ["evil"]}, "headers", "set by Voqo"),
    ],
)
def test_invalid_input_is_explained_and_nothing_is_saved(
    staff_client, agent, overrides, field, message
):
    response = staff_client.post(
        reverse("functions:create", args=[agent.id]), _form_data(**overrides)
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert not CustomFunction.objects.exists()


@pytest.mark.parametrize("endpoint", ["not a url", "ftp://files.example.com/x", "https://"])
def test_a_bad_endpoint_is_explained_once(staff_client, agent, endpoint):
    response = staff_client.post(
        reverse("functions:create", args=[agent.id]), _form_data(endpoint=endpoint)
    )
    assert response.context["form"].errors["endpoint"] == ["Enter a valid URL."]


def test_a_name_is_unique_per_agent(staff_client, agent):
    make_function(agent, name="check_property")

    response = staff_client.post(reverse("functions:create", args=[agent.id]), _form_data())

    assert "already has a function with this name" in response.context["form"].errors["name"][0]
    other = make_agent()
    response = staff_client.post(reverse("functions:create", args=[other.id]), _form_data())
    assert response.status_code == 302


def test_a_blank_secret_keeps_the_stored_one_and_a_new_one_replaces_it(staff_client, agent):
    function = make_function(
        agent,
        auth_type="api_key",
        auth_config={"header_name": "X-Api-Key", "api_key": API_KEY},
    )
    url = reverse("functions:edit", args=[function.id])

    staff_client.post(url, _form_data(api_key="", description="Changed"))
    function.refresh_from_db()
    assert function.description == "Changed"
    assert function.auth_config["api_key"] == API_KEY

    staff_client.post(url, _form_data(api_key="replacement-key"))
    function.refresh_from_db()
    assert function.auth_config["api_key"] == "replacement-key"


def test_switching_auth_type_drops_the_old_secret(staff_client, agent):
    function = make_function(
        agent, auth_type="api_key", auth_config={"header_name": "X-K", "api_key": API_KEY}
    )
    url = reverse("functions:edit", args=[function.id])

    response = staff_client.post(url, _form_data(auth_type="bearer", bearer_token=""))
    assert "Enter the token" in response.context["form"].errors["bearer_token"][0]

    staff_client.post(url, _form_data(auth_type="bearer", bearer_token=BEARER))
    function.refresh_from_db()
    assert function.auth_config == {"token": BEARER}


def test_no_secret_is_ever_rendered(staff_client, agent, admin_client):
    functions = [
        make_function(
            agent,
            name="with_key",
            auth_type="api_key",
            auth_config={"header_name": "X-Api-Key", "api_key": API_KEY},
        ),
        make_function(agent, name="with_bearer", auth_type="bearer", auth_config={"token": BEARER}),
        make_function(
            agent,
            name="with_basic",
            auth_type="basic",
            auth_config={"username": "harbour", "password": PASSWORD},
        ),
    ]
    pages = [staff_client.get(reverse("functions:list", args=[agent.id]))]
    for function in functions:
        pages.append(staff_client.get(reverse("functions:edit", args=[function.id])))
        pages.append(staff_client.get(reverse("functions:test", args=[function.id])))
        pages.append(staff_client.get(reverse("functions:delete", args=[function.id])))
        pages.append(
            admin_client.get(reverse("admin:functions_customfunction_change", args=[function.id]))
        )
    pages.append(admin_client.get(reverse("admin:functions_customfunction_changelist")))

    secrets = [API_KEY, BEARER, PASSWORD] + [f.invocation_token for f in functions]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        page = response.content.decode()
        for secret in secrets:
            assert secret not in page, response.request["PATH_INFO"]
    edit_page = pages[1].content.decode()
    assert "•••• (stored — leave blank to keep)" in edit_page


def test_the_toggle_disables_and_enables_a_function_in_place(staff_client, agent):
    function = make_function(agent)
    url = reverse("functions:toggle", args=[function.id])

    response = staff_client.post(url, HTTP_HX_REQUEST="true")

    function.refresh_from_db()
    assert not function.enabled
    page = response.content.decode()
    assert f'id="function-status-{function.id}"' in page
    assert 'aria-checked="false"' in page
    assert 'hx-swap-oob="true"' in page and "disabled" in page

    response = staff_client.post(url)  # without JavaScript: a redirect back to the list
    assert response.status_code == 302
    function.refresh_from_db()
    assert function.enabled


def test_deleting_asks_for_confirmation_first(staff_client, agent):
    function = make_function(agent)
    url = reverse("functions:delete", args=[function.id])

    confirmation = staff_client.get(url)
    assert "Delete the function" in confirmation.content.decode()
    assert CustomFunction.objects.exists()

    response = staff_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("functions:list", args=[agent.id])
    assert not CustomFunction.objects.exists()


def test_the_function_page_lists_recent_invocations(staff_client, agent):
    function = make_function(agent)
    FunctionInvocation.objects.create(
        function=function, conversation_id="conv_abc", status="ok", http_status=200, latency_ms=87
    )
    FunctionInvocation.objects.create(
        function=function, status="error", error="The endpoint answered HTTP 503."
    )

    page = staff_client.get(reverse("functions:edit", args=[function.id])).content.decode()

    assert "conv_abc" in page and "87 ms" in page
    assert "The endpoint answered HTTP 503." in page


def test_the_timeout_field_states_elevenlabs_range(staff_client, agent):
    response = staff_client.get(reverse("functions:create", args=[agent.id]))

    field = response.context["form"]["timeout"]
    assert "5–120 seconds, the range ElevenLabs accepts" in field.help_text
    html = response.content.decode()
    assert 'min="5"' in html and 'max="120"' in html


def test_a_timeout_of_two_minutes_is_registered_as_is(staff_client, agent):
    staff_client.post(reverse("functions:create", args=[agent.id]), _form_data(timeout="120"))

    assert CustomFunction.objects.get().timeout == 120
