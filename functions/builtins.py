"""Tools Voqo answers itself (e.g. `search_listings`), served through the same proxy as
custom functions: the same token, the same argument check, the same invocation log.

A feature app registers its handler in `AppConfig.ready()`, so `functions` never imports
the apps above it:

    builtins.register("search_listings", "listings.tool.answer_search")

A handler is called as `handler(function=…, arguments=…, conversation_id=…)` with
arguments that already match the function's parameters schema, and returns the JSON
object the agent reads.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

_HANDLERS: dict[str, str] = {}

Handler = Callable[..., dict[str, Any]]


def register(name: str, handler_path: str) -> None:
    """Serve the built-in tool `name` with the function at dotted `handler_path`."""
    _HANDLERS[name] = handler_path


def is_registered(name: str) -> bool:
    return name in _HANDLERS


def handler_for(name: str) -> Handler:
    """The handler of built-in tool `name` (KeyError when no app registered it)."""
    module, _, attribute = _HANDLERS[name].rpartition(".")
    return getattr(importlib.import_module(module), attribute)
