"""Keeping each custom function's ElevenLabs webhook tool in step with it.

Running a function (the proxy and the Test button) lives in `functions.invocation`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse

from functions.models import CustomFunction
from functions.schema import subset_problems
from voqo.providers import ProviderError, ProviderNotFound, ToolSpec, get_provider

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Voqo-Function-Token"
# ElevenLabs fills this header from the system__conversation_id dynamic variable on every
# tool call, so each invocation is logged with its call.
CONVERSATION_HEADER = "X-Conversation-Id"
CONVERSATION_VARIABLE = "system__conversation_id"


# -- keeping ElevenLabs in step ---------------------------------------------------------


def invoke_url(function: CustomFunction) -> str:
    """The public URL of the proxy that ElevenLabs calls for `function`."""
    path = reverse("functions:invoke", kwargs={"function_id": function.id})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def tool_spec(function: CustomFunction) -> ToolSpec:
    """The ElevenLabs webhook tool for `function`: it calls our proxy, never the endpoint."""
    schema = dict(function.parameters or {"type": "object", "properties": {}})
    schema.setdefault("properties", {})
    schema.setdefault("description", f"Arguments for {function.name}: {function.description}")
    return ToolSpec(
        name=function.name,
        description=function.description,
        url=invoke_url(function),
        method="POST",
        request_headers={TOKEN_HEADER: function.invocation_token},
        dynamic_variable_headers={CONVERSATION_HEADER: CONVERSATION_VARIABLE},
        body_schema=schema,
        response_timeout_secs=int(function.timeout),
    )


def sync_function(function: CustomFunction) -> list[str]:
    """Create, update or delete the function's ElevenLabs tool, then re-sync its agent.

    An enabled function has a tool; a disabled one has none. Local changes are always kept;
    returns the provider's messages for staff (empty when everything synced).
    """
    from agents.services import sync_agent

    problems: list[str] = []
    try:
        provider = get_provider(function.agency)  # the agency's own workspace, if it has one
    except ProviderError as exc:  # its stored key cannot be decrypted
        return [exc.message]
    if function.enabled:
        schema_problems = subset_problems(function.parameters or {"type": "object"})
        if schema_problems:
            # Saved before the subset was checked on save: ElevenLabs would refuse it.
            return [
                "The parameters schema is not one ElevenLabs accepts, so the tool was not "
                "updated: " + " ".join(schema_problems) + " Fix it on the function page."
            ]
        spec = tool_spec(function)
        try:
            if function.elevenlabs_tool_id:
                try:
                    provider.update_tool(function.elevenlabs_tool_id, spec)
                except ProviderNotFound:
                    # Deleted at ElevenLabs by hand: make it again.
                    function.elevenlabs_tool_id = provider.create_tool(spec)
            else:
                function.elevenlabs_tool_id = provider.create_tool(spec)
            function.save(update_fields=["elevenlabs_tool_id"])
        except ProviderError as exc:
            logger.warning("tool sync of function %s failed: %r", function.id, exc)
            problems.append(f"ElevenLabs did not accept the tool: {exc.message}")
        if not sync_agent(function.agent):
            problems.append(f"The agent could not be synced: {function.agent.sync_error}")
        return problems

    # Disabled: detach it from the agent first, then delete the tool itself.
    if not sync_agent(function.agent):
        problems.append(f"The agent could not be synced: {function.agent.sync_error}")
    if function.elevenlabs_tool_id:
        try:
            provider.delete_tool(function.elevenlabs_tool_id)
            function.elevenlabs_tool_id = ""
            function.save(update_fields=["elevenlabs_tool_id"])
        except ProviderError as exc:
            logger.warning("tool delete of function %s failed: %r", function.id, exc)
            problems.append(f"ElevenLabs could not delete the tool: {exc.message}")
    return problems


def set_function_enabled(function: CustomFunction, enabled: bool) -> list[str]:
    """Turn the function on or off and sync it; returns the provider's messages, if any."""
    function.enabled = enabled
    function.save(update_fields=["enabled", "updated_at"])
    return sync_function(function)


def delete_function(function: CustomFunction) -> list[str]:
    """Delete the function here, detach it from its agent and delete its ElevenLabs tool."""
    from agents.services import sync_agent

    agent, tool_id = function.agent, function.elevenlabs_tool_id
    function.delete()
    problems: list[str] = []
    if not sync_agent(agent):
        problems.append(f"The agent could not be synced: {agent.sync_error}")
    if tool_id:
        try:
            get_provider(agent.agency).delete_tool(tool_id)
        except ProviderError as exc:
            logger.warning("tool delete %s failed: %r", tool_id, exc)
            problems.append(
                f"ElevenLabs could not delete the tool {tool_id}: {exc.message}. "
                "Remove it by hand in the ElevenLabs dashboard."
            )
    return problems
