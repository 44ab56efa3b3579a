"""Response mapping: pick what the agent needs out of an endpoint's JSON answer.

A mapping is `{"output_name": "dot.path"}`. Paths: keys separated by dots, `[n]` for the
n-th list item (negative counts from the end), `[*]` for every item:
`data.items[0].price`, `items[*].address`, `[0].id`.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_OUTPUT_NAME_LENGTH = 64
# What the LLM gets back at most; more would crowd the conversation's context.
MAX_MAPPED_RESULT_CHARS = 8_000

_KEY = r"[^.\[\]\s]+"
_INDEX = r"\[(?:\*|-?\d+)\]"
_PATH_RE = re.compile(rf"^(?:{_KEY}|{_INDEX})(?:\.{_KEY}|{_INDEX})*$")
_STEP_RE = re.compile(rf"\.?({_KEY})|\[(\*|-?\d+)\]")
_OUTPUT_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

WILDCARD = object()


class MappingError(ValueError):
    """A mapping or path that cannot be used; the message says why, for staff."""


class _Missing(Exception):
    pass


def parse_path(path: str) -> tuple[Any, ...]:
    """The steps of `path`: str keys, int indexes, WILDCARD. MappingError when malformed."""
    if not isinstance(path, str) or not _PATH_RE.match(path):
        raise MappingError(
            f"“{path}” is not a valid path: use keys separated by dots, [0] for an item or "
            "[*] for every item (e.g. data.items[0].price or items[*].address)."
        )
    steps: list[Any] = []
    for key, index in _STEP_RE.findall(path):
        if key:
            steps.append(key)
        elif index == "*":
            steps.append(WILDCARD)
        else:
            steps.append(int(index))
    return tuple(steps)


def validate_mapping(mapping: Any) -> dict[str, str]:
    """The mapping if every output name and path is valid; MappingError listing the problems."""
    if not isinstance(mapping, dict):
        raise MappingError(
            'The response mapping must be a JSON object like {"price": "data.price"}.'
        )
    problems = []
    for name, path in mapping.items():
        if not _OUTPUT_NAME_RE.match(name) or len(name) > MAX_OUTPUT_NAME_LENGTH:
            problems.append(
                f"“{name}” is not a valid output name (letters, digits and underscores, "
                f"at most {MAX_OUTPUT_NAME_LENGTH})."
            )
            continue
        try:
            parse_path(path)
        except MappingError as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        raise MappingError(" ".join(problems))
    return mapping


def _resolve(value: Any, steps: tuple[Any, ...]) -> Any:
    for position, step in enumerate(steps):
        if step is WILDCARD:
            if not isinstance(value, list):
                raise _Missing
            rest = steps[position + 1 :]
            found = []
            for item in value:
                try:
                    found.append(_resolve(item, rest))
                except _Missing:
                    continue  # items without the field are skipped, not an error
            return found
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                raise _Missing
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                raise _Missing
            value = value[step]
    return value


def resolve_path(document: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of `path` in `document`."""
    try:
        return True, _resolve(document, parse_path(path))
    except _Missing:
        return False, None


def apply_mapping(document: Any, mapping: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The mapped outputs (None where a path is missing) and the names that were missing."""
    outputs: dict[str, Any] = {}
    missing: list[str] = []
    for name, path in mapping.items():
        found, value = resolve_path(document, path)
        outputs[name] = value
        if not found:
            missing.append(name)
    return outputs, missing


def cap_result(result: Any) -> Any:
    """`result`, or a truncated text of it when its JSON is longer than the agent should read."""
    text = json.dumps(result, ensure_ascii=False, default=str)
    if len(text) <= MAX_MAPPED_RESULT_CHARS:
        return result
    return {"truncated": True, "partial_result": text[:MAX_MAPPED_RESULT_CHARS]}
