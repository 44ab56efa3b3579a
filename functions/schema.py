"""The subset of JSON Schema that ElevenLabs accepts as a webhook tool's body schema.

From the OpenAPI definitions `ObjectJsonSchemaProperty`, `ArrayJsonSchemaProperty` and
`LiteralJsonSchemaProperty`: an object has only type, description, properties and required;
an array has only type, description and (mandatory) items; a literal has one type among
boolean, string, integer, number and gets its value from exactly one of description (the LLM
fills it in), dynamic_variable or constant_value. No `additionalProperties`, `$schema`,
`title`, unions (`anyOf`, type lists), `enum` or other validation keywords.
"""

from __future__ import annotations

import json
from typing import Any

LITERAL_TYPES = ("string", "number", "integer", "boolean")
ALLOWED_KEYS = {
    "object": ("type", "description", "properties", "required"),
    "array": ("type", "description", "items"),
    "literal": ("type", "description", "dynamic_variable", "constant_value"),
}
VALUE_SOURCES = ("description", "dynamic_variable", "constant_value")
UNION_KEYWORDS = ("anyOf", "oneOf", "allOf", "not")
MAX_PROBLEMS = 20


def _where(path: tuple[str, ...]) -> str:
    return "/".join(path) if path else "the top level"


def _unsupported_key(key: str, kind: str) -> str:
    allowed = ", ".join(ALLOWED_KEYS[kind])
    if key in UNION_KEYWORDS:
        return f"“{key}” (a union) is not supported: give the property one type."
    if key == "additionalProperties":
        return "“additionalProperties” is not supported: list every property instead."
    if key in ("enum", "const", "format", "pattern", "minimum", "maximum", "minLength"):
        return (
            f"“{key}” is not supported: state the rule in the description "
            "(e.g. “one of house, unit”); Voqo's own check cannot enforce it either."
        )
    return f"“{key}” is not supported (allowed here: {allowed})."


def subset_problems(schema: Any) -> list[str]:
    """Why ElevenLabs would refuse `schema` as a tool body schema, each naming its path."""
    problems: list[str] = []
    stack: list[tuple[tuple[str, ...], Any, bool]] = [((), schema, True)]
    while stack and len(problems) < MAX_PROBLEMS:
        path, node, is_root = stack.pop()
        where = _where(path)
        if not isinstance(node, dict):
            problems.append(
                f"At {where}: a property must be an object like "
                '{"type": "string", "description": "…"}.'
            )
            continue
        kind_name = node.get("type")
        if kind_name is None:
            problems.append(f"At {where}: “type” is missing.")
            continue
        if isinstance(kind_name, list):
            problems.append(
                f"At {where}: one type per property, not {json.dumps(kind_name)}. "
                "Make a value optional by leaving it out of “required”."
            )
            continue
        if kind_name in ("object", "array"):
            kind = kind_name
        elif kind_name in LITERAL_TYPES:
            kind = "literal"
        else:
            problems.append(
                f"At {where}: the type {json.dumps(kind_name)} is not supported: use one of "
                "string, number, integer, boolean, object or array."
            )
            continue
        for key in node:
            if key not in ALLOWED_KEYS[kind]:
                problems.append(f"At {where}: {_unsupported_key(key, kind)}")
        description = node.get("description", "")
        if not isinstance(description, str):
            problems.append(f"At {where}: “description” must be text.")

        if kind == "object":
            properties = node.get("properties", {})
            if not isinstance(properties, dict):
                problems.append(f"At {where}: “properties” must be an object of named properties.")
                properties = {}
            required = node.get("required", [])
            if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
                problems.append(f"At {where}: “required” must be a list of property names.")
            else:
                for name in required:
                    if name not in properties:
                        problems.append(
                            f"At {where}: “required” names “{name}”, which is not a property."
                        )
            for name, child in reversed(list(properties.items())):
                stack.append(((*path, "properties", name), child, False))
        elif kind == "array":
            if "items" not in node:
                problems.append(
                    f"At {where}: an array needs “items”, the schema of one element, "
                    'e.g. {"type": "string", "description": "…"}.'
                )
            else:
                stack.append(((*path, "items"), node["items"], False))
        elif not is_root:
            problems.extend(_literal_problems(where, node))
    return problems[:MAX_PROBLEMS]


def _literal_problems(where: str, node: dict[str, Any]) -> list[str]:
    problems = []
    if "dynamic_variable" in node and not isinstance(node["dynamic_variable"], str):
        problems.append(f"At {where}: “dynamic_variable” must be a variable name.")
    constant = node.get("constant_value", "")
    if isinstance(constant, dict | list) or constant is None:
        problems.append(f"At {where}: “constant_value” must be text, a number or true/false.")
    sources = [key for key in VALUE_SOURCES if node.get(key) not in (None, "")]
    if not sources:
        problems.append(
            f"At {where}: add a “description” so the agent knows what to fill in "
            "(or a “dynamic_variable” or “constant_value”)."
        )
    elif len(sources) > 1:
        problems.append(
            f"At {where}: use only one of {', '.join(f'“{s}”' for s in sources)}: "
            "ElevenLabs takes the value from exactly one of them."
        )
    return problems
