"""The official ElevenLabs OpenAPI as the fake server's judge of what goes over the wire.

Request bodies are checked against each operation's `requestBody` schema (JSON Schema
2020-12, as OpenAPI 3.1 uses it, `$ref`s resolved inside the document) and refusals are
worded the way the real API words them: FastAPI's 422 `HTTPValidationError`,
`{"detail": [{"loc": ["body", ...], "msg": "...", "type": "..."}]}` with pydantic's
error types. Responses can be checked the same way (`response_errors`), which is how the
tests keep the fake's own answers and payload fixtures honest.

The document lives outside the repository, in `../shared/reference/` beside the clone.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO_ROOT.parent / "shared" / "reference" / "elevenlabs-openapi.json"
_DOCUMENT_URI = "urn:elevenlabs-openapi"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# How pydantic names a JSON type in its messages and union locations.
_PYDANTIC_TYPES = {
    "string": ("string_type", "Input should be a valid string", "str"),
    "integer": ("int_type", "Input should be a valid integer", "int"),
    "number": ("float_type", "Input should be a valid number", "float"),
    "boolean": ("bool_type", "Input should be a valid boolean", "bool"),
    "object": ("dict_type", "Input should be a valid dictionary", "dict"),
    "array": ("list_type", "Input should be a valid list", "list"),
    "null": ("none_required", "Input should be None", "none"),
}


class OpenAPIMissing(RuntimeError):
    """The official OpenAPI document is not where the tests expect it."""


@dataclass(frozen=True)
class Operation:
    """One path + method of the API."""

    method: str  # upper case
    template: str  # e.g. /v1/convai/agents/{agent_id}
    pointer: str  # JSON pointer to the operation object

    @property
    def spec(self) -> dict[str, Any]:
        return _resolve_pointer(self.pointer)

    @property
    def body_content_types(self) -> list[str]:
        return list((self.spec.get("requestBody") or {}).get("content", {}))

    @property
    def body_required(self) -> bool:
        return bool((self.spec.get("requestBody") or {}).get("required"))

    @property
    def json_body_pointer(self) -> str | None:
        content = (self.spec.get("requestBody") or {}).get("content", {})
        if "application/json" not in content:
            return None
        return f"{self.pointer}/requestBody/content/application~1json/schema"


@functools.cache
def load_document() -> dict[str, Any]:
    """The parsed OpenAPI document; fails loudly when it is missing."""
    try:
        return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OpenAPIMissing(
            f"The official ElevenLabs OpenAPI was not found at {OPENAPI_PATH}. The fake provider "
            "validates every request against it: check out the shared folder beside the "
            "repository (../shared/reference/elevenlabs-openapi.json)."
        ) from None


@functools.cache
def _registry() -> Registry:
    resource = Resource(contents=load_document(), specification=DRAFT202012)
    return Registry().with_resource(_DOCUMENT_URI, resource)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve_pointer(pointer: str) -> Any:
    node: Any = load_document()
    for token in pointer.lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str, int]]:
    """(regex, template, literal segment count) per documented path, most literal first."""
    routes = []
    for template in load_document()["paths"]:
        parts = template.strip("/").split("/")
        regex = "/".join(
            "[^/]+" if part.startswith("{") and part.endswith("}") else re.escape(part)
            for part in parts
        )
        literal = sum(not part.startswith("{") for part in parts)
        routes.append((re.compile(f"^/{regex}/?$"), template, literal))
    routes.sort(key=lambda route: -route[2])
    return routes


def find_path(path: str) -> str | None:
    """The documented path template `path` falls under (literal segments win), or None."""
    for pattern, template, _literal in _routes():
        if pattern.match(path):
            return template
    return None


def find_operation(method: str, path: str) -> Operation | None:
    """The documented operation for `method` + `path`, or None (unknown path or method)."""
    method = method.lower()
    for pattern, template, _literal in _routes():
        if pattern.match(path) and method in load_document()["paths"][template]:
            return Operation(method.upper(), template, f"/paths/{_escape(template)}/{method}")
    return None


def allowed_methods(path: str) -> list[str]:
    """Methods documented for any template `path` matches."""
    methods: set[str] = set()
    for pattern, template, _literal in _routes():
        if pattern.match(path):
            methods.update(m.upper() for m in load_document()["paths"][template] if m in _METHODS)
    return sorted(methods)


@functools.cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{_DOCUMENT_URI}#{pointer}"}, registry=_registry())


def schema_errors(pointer: str, instance: Any, *, location: str = "body") -> list[dict[str, Any]]:
    """Pydantic-style error items for `instance` against the schema at `pointer`."""
    errors = sorted(
        _validator(pointer).iter_errors(instance), key=lambda error: list(error.absolute_path)
    )
    items: list[dict[str, Any]] = []
    for error in errors:
        items.extend(_to_items(error, [location, *error.absolute_path]))
    # pydantic reports one error per location, and a wrong type before anything else
    # (jsonschema also reports the enum or pattern a list can never meet).
    by_location: dict[str, dict[str, Any]] = {}
    for item in items:
        key = json.dumps(item["loc"])
        kept = by_location.get(key)
        if kept is None or (item["type"].endswith("_type") and not kept["type"].endswith("_type")):
            by_location[key] = item
    return list(by_location.values())


def component_errors(name: str, instance: Any, *, location: str = "body") -> list[dict]:
    """Errors of `instance` against `#/components/schemas/<name>`."""
    if name not in load_document()["components"]["schemas"]:
        raise KeyError(f"No schema {name!r} in the ElevenLabs OpenAPI")
    return schema_errors(f"/components/schemas/{_escape(name)}", instance, location=location)


def request_errors(operation: Operation, raw: bytes) -> list[dict[str, Any]] | None:
    """What the real API would refuse in this JSON body, or None if it is acceptable."""
    pointer = operation.json_body_pointer
    if pointer is None:
        return None
    if not raw.strip():
        if operation.body_required:
            return [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
        return None
    try:
        body = json.loads(raw)
    except ValueError as exc:
        position = getattr(exc, "pos", 0)
        return [{"loc": ["body", position], "msg": "JSON decode error", "type": "json_invalid"}]
    return schema_errors(pointer, body) or None


def multipart_parts(raw: bytes, content_type: str) -> list[tuple[str, str | None, bytes]] | None:
    """Every part of a multipart/form-data body in order: (name, filename or None, bytes),
    repeated names kept (an array of files); None when the body is not readable as multipart."""
    from email.parser import BytesParser
    from email.policy import HTTP

    if "multipart/form-data" not in content_type or "boundary=" not in content_type:
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        return None
    parts: list[tuple[str, str | None, bytes]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts.append((str(name), part.get_filename(), part.get_payload(decode=True) or b""))
    return parts


def multipart_form(raw: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]] | None:
    """The parts of a multipart/form-data body: name → (filename or None, bytes) of its last
    part; None when the body is not readable as multipart."""
    parts = multipart_parts(raw, content_type)
    if parts is None:
        return None
    return {name: (filename, content) for name, filename, content in parts}


def multipart_errors(
    operation: Operation, raw: bytes, content_type: str
) -> list[dict[str, Any]] | None:
    """What the real API would refuse in a multipart/form-data body, or None.

    Text fields are checked against the schema as strings; a `format: binary` field must
    be sent as a file part (with a filename), as FastAPI's `UploadFile` requires.
    """
    content = (operation.spec.get("requestBody") or {}).get("content", {})
    if "multipart/form-data" not in content:
        return None
    pointer = f"{operation.pointer}/requestBody/content/multipart~1form-data/schema"
    parts = multipart_parts(raw, content_type)
    if parts is None:
        return [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
    schema = _resolve_pointer(pointer)
    if "$ref" in schema:
        schema = _resolve_pointer(schema["$ref"].split("#", 1)[1])
    errors: list[dict[str, Any]] = []
    instance: dict[str, Any] = {}
    for name, filename, value in parts:
        declared = schema.get("properties", {}).get(name, {})
        if (
            declared.get("type") == "array"
            and (declared.get("items") or {}).get("format") == "binary"
        ):
            # A list of files: the part repeats under one name, each one a file.
            if filename is None:
                errors.append(
                    {
                        "loc": ["body", name],
                        "msg": "Value error, Expected UploadFile, received: <class 'str'>",
                        "type": "value_error",
                    }
                )
            instance.setdefault(name, []).append("<file>")
        elif declared.get("format") == "binary":
            if filename is None:
                errors.append(
                    {
                        "loc": ["body", name],
                        "msg": "Value error, Expected UploadFile, received: <class 'str'>",
                        "type": "value_error",
                    }
                )
            instance[name] = "<file>"
        else:
            instance[name] = value.decode("utf-8", errors="replace")
    return (errors + schema_errors(pointer, instance)) or None


def response_errors(method: str, path: str, status: int, body: Any) -> list[dict[str, Any]]:
    """How a response body differs from the documented one (empty: it matches)."""
    operation = find_operation(method, path)
    if operation is None:
        return [{"loc": [], "msg": f"{method} {path} is not documented", "type": "unknown"}]
    responses = operation.spec.get("responses", {})
    if str(status) not in responses:
        return [{"loc": [], "msg": f"status {status} is not documented", "type": "unknown"}]
    content = responses[str(status)].get("content", {})
    if "application/json" not in content:
        return []
    pointer = f"{operation.pointer}/responses/{status}/content/application~1json/schema"
    return schema_errors(pointer, body, location="response")


# -- jsonschema errors in pydantic's words ------------------------------------------------


def _item(loc: list[Any], error_type: str, msg: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": error_type}


def _literal(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _expected(values: list[Any]) -> str:
    shown = [_literal(value) for value in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _to_items(error: ValidationError, loc: list[Any]) -> list[dict[str, Any]]:
    validator, value, instance = error.validator, error.validator_value, error.instance
    if validator == "required":
        missing = [name for name in value if name not in instance]
        return [_item([*loc, name], "missing", "Field required") for name in missing]
    if validator == "additionalProperties" and value is False:
        known = set(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        extra = [
            name
            for name in instance
            if name not in known and not any(re.search(p, name) for p in patterns)
        ]
        return [
            _item([*loc, name], "extra_forbidden", "Extra inputs are not permitted")
            for name in extra
        ]
    if validator == "type":
        wanted = value if isinstance(value, str) else value[0]
        error_type, msg, _name = _PYDANTIC_TYPES.get(wanted, ("type_error", error.message, ""))
        return [_item(loc, error_type, msg)]
    if validator == "const":
        return [_item(loc, "literal_error", f"Input should be {_literal(value)}")]
    if validator == "enum":
        return [_item(loc, "enum", f"Input should be {_expected(value)}")]
    bounds = {
        "minimum": ("greater_than_equal", "greater than or equal to"),
        "maximum": ("less_than_equal", "less than or equal to"),
        "exclusiveMinimum": ("greater_than", "greater than"),
        "exclusiveMaximum": ("less_than", "less than"),
    }
    if validator in bounds:
        error_type, words = bounds[validator]
        return [_item(loc, error_type, f"Input should be {words} {value}")]
    if validator == "multipleOf":
        return [_item(loc, "multiple_of", f"Input should be a multiple of {value}")]
    if validator == "pattern":
        return [_item(loc, "string_pattern_mismatch", f"String should match pattern '{value}'")]
    if validator == "minLength":
        return [_item(loc, "string_too_short", f"String should have at least {value} characters")]
    if validator == "maxLength":
        return [_item(loc, "string_too_long", f"String should have at most {value} characters")]
    if validator in ("minItems", "minProperties"):
        kind = "List" if validator == "minItems" else "Dictionary"
        return [
            _item(
                loc,
                "too_short",
                f"{kind} should have at least {value} item after validation, not {len(instance)}",
            )
        ]
    if validator in ("maxItems", "maxProperties"):
        kind = "List" if validator == "maxItems" else "Dictionary"
        return [
            _item(
                loc,
                "too_long",
                f"{kind} should have at most {value} items after validation, not {len(instance)}",
            )
        ]
    if validator in ("anyOf", "oneOf"):
        return _union_items(error, loc)
    return [_item(loc, validator, error.message)]


def _branch_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1].removesuffix("-Input").removesuffix("-Output")
    kind = schema.get("type")
    if isinstance(kind, str):
        return _PYDANTIC_TYPES.get(kind, ("", "", kind))[2]
    return schema.get("title", "union")


def _ruled_out(errors: list[ValidationError]) -> bool:
    """A union branch the instance plainly is not: wrong JSON type, or wrong `type` tag."""
    for error in errors:
        path = list(error.relative_path)
        if not path and error.validator == "type":
            return True
        if path == ["type"] and error.validator in ("const", "enum"):
            return True
    return False


def _union_items(error: ValidationError, loc: list[Any]) -> list[dict[str, Any]]:
    branches: list[dict[str, Any]] = error.validator_value
    by_branch: dict[int, list[ValidationError]] = defaultdict(list)
    for sub in error.context or []:
        by_branch[sub.relative_schema_path[0]].append(sub)
    if not by_branch:  # oneOf matched more than one branch
        return [_item(loc, "union_ambiguous", error.message)]

    discriminator = error.schema.get("discriminator")
    if discriminator:
        # pydantic picks the branch by its tag and reports only that branch.
        tag_name = discriminator["propertyName"]
        if not isinstance(error.instance, dict) or tag_name not in error.instance:
            return [
                _item(
                    loc,
                    "union_tag_not_found",
                    f"Unable to extract tag using discriminator '{tag_name}'",
                )
            ]
        tag = error.instance[tag_name]
        mapping = discriminator.get("mapping", {})
        target = mapping.get(tag) if isinstance(tag, str) else None
        chosen = [index for index, branch in enumerate(branches) if branch.get("$ref") == target]
        if not chosen:
            expected = ", ".join(f"'{name}'" for name in mapping)
            return [
                _item(
                    loc,
                    "union_tag_invalid",
                    f"Input tag {_literal(tag)} found using '{tag_name}' does not match any "
                    f"of the expected tags: {expected}",
                )
            ]
        return _collect(by_branch[chosen[0]], loc, len(error.absolute_path))

    # Optional[X] is reported as X alone; branches the value plainly is not are dropped.
    candidates = [
        index
        for index, branch in enumerate(branches)
        if branch.get("type") != "null" and index in by_branch
    ]
    plausible = [index for index in candidates if not _ruled_out(by_branch[index])]
    if len(plausible) == 1:
        return _collect(by_branch[plausible[0]], loc, len(error.absolute_path))
    if len(candidates) == 1:
        return _collect(by_branch[candidates[0]], loc, len(error.absolute_path))
    items: list[dict[str, Any]] = []
    for index in plausible or candidates:
        name = _branch_name(branches[index])
        items.extend(_collect(by_branch[index], [*loc, name], len(error.absolute_path)))
    return items or [_item(loc, "union_error", error.message)]


def _collect(errors: list[ValidationError], loc: list[Any], depth: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for sub in errors:
        items.extend(_to_items(sub, [*loc, *list(sub.absolute_path)[depth:]]))
    return items
