"""Arrange custom functions and call the proxy in one line."""

import json

from functions.models import CustomFunction

PROPERTY_SCHEMA = {
    "type": "object",
    "description": "The property to look up.",
    "properties": {
        "address": {"type": "string", "description": "Street address"},
        "bedrooms": {"type": "integer", "description": "Bedrooms wanted"},
    },
    "required": ["address"],
}


def make_function(agent, **fields) -> CustomFunction:
    defaults = {
        "name": "check_property",
        "description": "Check whether a property is still available and its price.",
        "endpoint": "https://api.example.com/properties",
        "method": CustomFunction.Method.POST,
        "parameters": PROPERTY_SCHEMA,
        "timeout": 5,
    }
    return CustomFunction.objects.create(agent=agent, **{**defaults, **fields})


def invoke(client, function, arguments=None, *, token=None, headers=None, raw_body=None):
    """POST to the proxy as ElevenLabs does."""
    extra = {"HTTP_X_VOQO_FUNCTION_TOKEN": function.invocation_token if token is None else token}
    for name, value in (headers or {}).items():
        extra["HTTP_" + name.upper().replace("-", "_")] = value
    body = raw_body if raw_body is not None else json.dumps(arguments or {})
    return client.post(
        f"/functions/{function.id}/invoke", data=body, content_type="application/json", **extra
    )
