"""How the OpenAPI document describes our authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An agency API key (Settings → API keys), sent as "
            "`Authorization: Bearer <key>`.",
        }


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string", "example": "invalid_request"},
                "message": {"type": "string", "example": "Enter a valid phone number."},
                "field": {"type": "string", "nullable": True, "example": "phone"},
            },
        }
    },
}
ERRORS = {
    "400": "The request is invalid; `field` names the first problem.",
    "401": "No API key, or an unknown or revoked one.",
    "403": "A read-only key tried to change something.",
    "404": "Not found (another agency's id is not found either).",
    "429": "Too many requests for this key: wait `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the one error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status == "403" and method == "get":
                    continue
                responses.setdefault(status, {"description": description, "content": reference})
    return result
