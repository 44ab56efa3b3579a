"""JSON from outside (tool calls, endpoint answers, staff input) parsed with a nesting limit.

Python's parser, `jsonschema` and `json.dumps` recurse once per level: a few thousand nested
brackets raise RecursionError (a 500) somewhere along the way. Nothing a tool needs comes
close to MAX_JSON_DEPTH.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32


class JSONTooDeep(ValueError):
    """The document nests deeper than MAX_JSON_DEPTH."""

    def __init__(self, max_depth: int = MAX_JSON_DEPTH):
        super().__init__(f"The JSON nests deeper than {max_depth} levels.")


def json_depth(value: Any) -> int:
    """How deeply `value` nests (a scalar is 0, `[]` and `{}` are 1); iterative, never recursive."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def load_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The parsed document; ValueError when it is not JSON, JSONTooDeep when it nests too deeply."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise JSONTooDeep(max_depth) from None
    if json_depth(document) > max_depth:
        raise JSONTooDeep(max_depth)
    return document
