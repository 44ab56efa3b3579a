"""Headers that carry credentials are secret headers: encrypted, never shown, replace-only."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from functions.models import CustomFunction
from tests.factories import make_agent
from tests.functions.helpers import PROPERTY_SCHEMA, make_function

pytestmark = pytest.mark.django_db

PIN = "agency-pin-7f3a9c"


@pytest.fixture
def agent():
    return make_agent(name="Lisa")


def _form_data(rows, **overrides):
    data = {
        "name": "check_property",
        "description": "Check whether a property is available.",
        "method": "POST",
        "endpoint": "https://api.example.com/properties",
        "headers_name": [name for name, _, _ in rows],
        "headers_value": [value for _, value, _ in rows],
        "headers_type": [kind for _, _, kind in rows],
        "auth_type": "none",
        "parameters": json.dumps(PROPERTY_SCHEMA),
        "response_mapping": "",
        "timeout": "10",
        "enabled": "on",
    }
    data.update(overrides)
    return data


def _raw_secret_headers(function):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_headers, headers FROM custom_functions WHERE id = %s",
            [function.id.hex if connection.vendor == "sqlite" else function.id],
        )
        return cursor.fetchone()


def test_a_secret_header_is_stored_encrypted_and_never_shown(staff_client, agent):
    rows = [("X-Agency", "harbour", "plain"), ("X-Agency-Pin", PIN, "secret")]

    staff_client.post(reverse("functions:create", args=[agent.id]), _form_data(rows))

    function = CustomFunction.objects.get()
    assert function.headers == {"X-Agency": "harbour"}
    assert function.secret_headers == {"X-Agency-Pin": PIN}
    raw_secret, raw_plain = _raw_secret_headers(function)
    assert PIN not in raw_secret and "X-Agency-Pin" not in raw_secret
    assert PIN not in str(raw_plain)
    page = staff_client.get(reverse("functions:edit", args=[function.id])).content.decode()
    assert "X-Agency-Pin" in page and PIN not in page
    assert 'type="password" name="headers_value"' in page
    assert "stored — leave blank to keep" in page


def test_a_blank_secret_header_keeps_the_stored_value_and_a_new_one_replaces_it(
    staff_client, agent
):
    function = make_function(agent, secret_headers={"X-Agency-Pin": PIN})
    url = reverse("functions:edit", args=[function.id])

    staff_client.post(url, _form_data([("X-Agency-Pin", "", "secret")]))
    function.refresh_from_db()
    assert function.secret_headers == {"X-Agency-Pin": PIN}

    staff_client.post(url, _form_data([("X-Agency-Pin", "new-pin-123", "secret")]))
    function.refresh_from_db()
    assert function.secret_headers == {"X-Agency-Pin": "new-pin-123"}

    staff_client.post(url, _form_data([]))  # the row removed
    function.refresh_from_db()
    assert function.secret_headers == {}


def test_a_new_secret_header_needs_a_value(staff_client, agent):
    response = staff_client.post(
        reverse("functions:create", args=[agent.id]), _form_data([("X-Agency-Pin", "", "secret")])
    )

    errors = response.context["form"].errors["headers"]
    assert "Enter the value of the secret header X-Agency-Pin." in errors
    assert not CustomFunction.objects.exists()


def test_a_form_with_errors_never_renders_a_typed_secret_back(staff_client, agent):
    data = _form_data([("X-Agency-Pin", PIN, "secret")], name="bad name")

    response = staff_client.post(reverse("functions:create", args=[agent.id]), data)

    assert response.status_code == 200
    assert PIN not in response.content.decode()


def test_a_header_the_auth_settings_set_cannot_be_configured_twice(staff_client, agent):
    data = _form_data(
        [("Authorization", "Bearer abc", "secret")], auth_type="bearer", bearer_token="tok-1"
    )

    response = staff_client.post(reverse("functions:create", args=[agent.id]), data)

    assert (
        "Authorization is set by the auth settings below; remove this row."
        in (response.context["form"].errors["headers"])
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("Authorization", "Bearer abc123def456"),
        ("X-Api-Key", "anything"),
        ("X-Auth-Token", "anything"),
        ("X-Client-Secret", "anything"),
        ("X-Agency", "sk_live_51HqLyjWDarjtT1zdp7dc"),
        ("X-Agency", "Basic aGFyYm91cjpwdw=="),
    ],
)
def test_a_plain_header_that_looks_like_a_credential_is_saved_with_a_warning(
    staff_client, agent, name, value
):
    response = staff_client.post(
        reverse("functions:create", args=[agent.id]),
        _form_data([(name, value, "plain")]),
        follow=True,
    )

    expected = f"{name} looks like a credential: make it a secret header"
    assert expected in response.content.decode()  # flashed after saving
    function = CustomFunction.objects.get()
    assert function.headers == {name: value}
    page = staff_client.get(reverse("functions:edit", args=[function.id])).content.decode()
    assert expected in page  # and next to the row, until it is made secret


@pytest.mark.parametrize(
    "name, value",
    [
        ("X-Agency", "harbour-realty"),
        ("X-Request-Source", "3f2a9c1e-7b4d-4e8f-9a6b-1c2d3e4f5a6b"),
        ("Accept-Language", "en-AU"),
    ],
)
def test_ordinary_plain_headers_get_no_warning(staff_client, agent, name, value):
    response = staff_client.post(
        reverse("functions:create", args=[agent.id]),
        _form_data([(name, value, "plain")]),
        follow=True,
    )

    assert "looks like a credential" not in response.content.decode()


def test_a_secret_header_is_sent_and_masked_on_the_test_page(
    staff_client, agent, target, allow_localhost
):
    target.answer("/properties", {"seen": f"pin {PIN}"})
    function = make_function(
        agent, endpoint=target.url("/properties"), secret_headers={"X-Agency-Pin": PIN}
    )

    response = staff_client.post(
        reverse("functions:test", args=[function.id]), {"address": "1 Beach Rd"}
    )

    assert target.requests[-1].headers["x-agency-pin"] == PIN
    page = response.content.decode()
    assert "X-Agency-Pin: ••••" in page
    assert PIN not in page
