"""A function's parameters must be the subset of JSON Schema that ElevenLabs accepts."""

import json

import pytest
from django.urls import reverse

from functions.models import CustomFunction
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def _form_data(schema):
    return {
        "name": "check_property",
        "description": "Check whether a property is available.",
        "method": "POST",
        "endpoint": "https://api.example.com/properties",
        "auth_type": "none",
        "parameters": schema if isinstance(schema, str) else json.dumps(schema),
        "response_mapping": "",
        "timeout": "10",
        "enabled": "on",
    }


def _object(**properties):
    return {"type": "object", "properties": properties}


ADDRESS = {"type": "string", "description": "Street address"}


def _save(staff_client, schema):
    agent = make_agent()
    return staff_client.post(reverse("functions:create", args=[agent.id]), _form_data(schema))


@pytest.mark.parametrize(
    "schema, message",
    [
        (
            {**_object(address=ADDRESS), "additionalProperties": False},
            "At the top level: “additionalProperties” is not supported",
        ),
        (
            {**_object(address=ADDRESS), "$schema": "https://json-schema.org/draft/2020-12/schema"},
            "At the top level: “$schema” is not supported",
        ),
        (
            _object(address={**ADDRESS, "title": "Address"}),
            "At properties/address: “title” is not supported",
        ),
        (
            _object(bedrooms={"type": ["integer", "null"], "description": "Bedrooms"}),
            'At properties/bedrooms: one type per property, not ["integer", "null"]',
        ),
        (
            _object(
                price={"anyOf": [{"type": "number"}, {"type": "string"}], "description": "Price"}
            ),
            "At properties/price: “type” is missing.",
        ),
        (
            _object(price={"type": "number", "anyOf": [{}], "description": "Price"}),
            "At properties/price: “anyOf” (a union) is not supported",
        ),
        (
            _object(features={"type": "array", "description": "Wanted features"}),
            "At properties/features: an array needs “items”",
        ),
        (
            _object(kind={"type": "string", "enum": ["house", "unit"], "description": "Kind"}),
            "At properties/kind: “enum” is not supported: state the rule in the description",
        ),
        (
            _object(when={"type": "null", "description": "Nothing"}),
            'At properties/when: the type "null" is not supported',
        ),
        (
            _object(address={"type": "string"}),
            "At properties/address: add a “description” so the agent knows what to fill in",
        ),
        (
            _object(
                caller={
                    "type": "string",
                    "description": "The caller",
                    "dynamic_variable": "system__caller_id",
                }
            ),
            "At properties/caller: use only one of “description”, “dynamic_variable”",
        ),
        (
            {**_object(address=ADDRESS), "required": ["address", "suburb"]},
            "At the top level: “required” names “suburb”, which is not a property.",
        ),
        (
            _object(
                rooms={
                    "type": "array",
                    "description": "Rooms",
                    "items": {
                        "type": "object",
                        "properties": {"size": {"type": "number", "minimum": 0}},
                    },
                }
            ),
            "At properties/rooms/items/properties/size: “minimum” is not supported",
        ),
    ],
)
def test_schemas_elevenlabs_would_refuse_are_refused_on_save_naming_the_path(
    staff_client, live_provider_settings, schema, message
):
    server = live_provider_settings

    response = _save(staff_client, schema)

    assert response.status_code == 200
    errors = response.context["form"].errors["parameters"]
    assert any(message in error for error in errors), errors
    assert message.split(":")[0] in response.content.decode()
    assert not CustomFunction.objects.exists()
    assert not server.requests_to("POST", "/v1/convai/tools")


def test_every_problem_is_listed_at_once(staff_client):
    schema = {
        "type": "object",
        "title": "Lookup",
        "properties": {"a": {"type": "string"}, "b": {"type": "array", "description": "B"}},
    }

    errors = _save(staff_client, schema).context["form"].errors["parameters"]

    assert len(errors) == 3
    assert errors[0].startswith("At the top level: “title”")


def test_the_supported_subset_is_accepted_and_sent_unchanged(staff_client, live_provider_settings):
    server = live_provider_settings
    schema = {
        "type": "object",
        "description": "The enquiry",
        "properties": {
            "address": ADDRESS,
            "bedrooms": {"type": "integer", "description": "Bedrooms wanted"},
            "pets": {"type": "boolean", "description": "Whether they have pets"},
            "budget": {"type": "number", "description": "Budget in AUD"},
            "caller": {"type": "string", "dynamic_variable": "system__caller_id"},
            "agency": {"type": "string", "constant_value": "harbour"},
            "features": {
                "type": "array",
                "description": "Wanted features",
                "items": {"type": "string", "description": "One feature"},
            },
            "contact": {
                "type": "object",
                "description": "How to reach them",
                "properties": {"email": {"type": "string", "description": "Email address"}},
                "required": ["email"],
            },
        },
        "required": ["address"],
    }

    response = _save(staff_client, schema)

    assert response.status_code == 302
    assert CustomFunction.objects.get().parameters == schema
    [created] = server.requests_to("POST", "/v1/convai/tools")
    assert created.json["tool_config"]["api_schema"]["request_body_schema"] == schema


@pytest.mark.parametrize("field", ["parameters", "response_mapping"])
def test_deeply_nested_json_in_the_form_is_refused_with_a_message(staff_client, field):
    agent = make_agent()
    deep = "[" * 5000 + "]" * 5000
    data = {**_form_data(_object(address=ADDRESS)), field: deep}

    response = staff_client.post(reverse("functions:create", args=[agent.id]), data)

    assert response.status_code == 200
    assert "nests deeper than 32 levels" in " ".join(response.context["form"].errors[field])


def test_an_older_schema_outside_the_subset_is_not_sent_and_the_toggle_says_why(
    staff_client, live_provider_settings
):
    server = live_provider_settings
    function = CustomFunction.objects.create(
        agent=make_agent(),
        name="legacy_lookup",
        description="Saved before schemas were checked.",
        endpoint="https://api.example.com/x",
        parameters=_object(kind={"type": "string", "enum": ["house"], "description": "Kind"}),
        enabled=False,
    )

    response = staff_client.post(reverse("functions:toggle", args=[function.id]), follow=True)

    page = response.content.decode()
    assert "not one ElevenLabs accepts" in page
    assert "At properties/kind: “enum” is not supported" in page
    assert not server.requests_to("POST", "/v1/convai/tools")
