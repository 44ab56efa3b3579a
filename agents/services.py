"""What the agents domain does: keep each agent in step with its ElevenLabs twin."""

from __future__ import annotations

import logging

from django.utils import timezone

from agents.models import Agent
from outcomes.dispositions import data_collection_items, evaluation_criteria
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS
from voqo.providers import (
    DEFAULT_DATA_COLLECTION,
    AgentSpec,
    ProviderError,
    ProviderNotFound,
    get_provider,
)

logger = logging.getLogger(__name__)

SYNC_FIELDS = ["elevenlabs_agent_id", "sync_status", "sync_error", "synced_at", "updated_at"]


def agent_spec(agent: Agent) -> AgentSpec:
    """The ElevenLabs configuration of `agent`, tools included."""
    tool_ids = list(
        agent.functions.filter(enabled=True)
        .exclude(elevenlabs_tool_id="")
        .order_by("name")
        .values_list("elevenlabs_tool_id", flat=True)
    )
    return AgentSpec(
        name=agent.name,
        prompt=agent.system_prompt,
        first_message=agent.greeting_message,
        language=agent.language,
        llm=agent.llm,
        temperature=agent.temperature,
        voice_id=agent.voice_id,
        # The agency's name is the agent's own agency, whatever a call start supplies.
        # Campaign variables get an empty placeholder: inbound calls and Call now have no
        # upload row, and ElevenLabs fails a call whose variable has neither value nor one.
        dynamic_variable_placeholders={
            **dict.fromkeys(agent.campaign_variables(), ""),
            **CALLER_VARIABLE_PLACEHOLDERS,
            "agency_name": agent.agency.name,
        },
        tool_ids=tool_ids,
        # The caller's name and memories, and the agency's outcomes and their details.
        data_collection={**DEFAULT_DATA_COLLECTION, **data_collection_items(agent.agency)},
        evaluation_criteria=evaluation_criteria(),
    )


def sync_agent(agent: Agent) -> bool:
    """Create the agent at ElevenLabs, or PATCH it when it has an id; record the outcome.

    On a provider error the local agent is kept as it is, `sync_status` becomes failed and
    `sync_error` holds the provider's message; returns False. An agent that was deleted at
    ElevenLabs by hand (404 on PATCH) is created again.
    """
    spec = agent_spec(agent)
    provider = get_provider()
    try:
        if agent.elevenlabs_agent_id:
            try:
                provider.update_agent(agent.elevenlabs_agent_id, spec)
            except ProviderNotFound:
                logger.info("agent %s is gone at the provider; creating it again", agent.id)
                agent.elevenlabs_agent_id = provider.create_agent(spec)
        else:
            agent.elevenlabs_agent_id = provider.create_agent(spec)
    except ProviderError as error:
        logger.warning("sync of agent %s failed: %r", agent.id, error)
        agent.sync_status = Agent.SyncStatus.FAILED
        agent.sync_error = str(error) or type(error).__name__
        agent.save(update_fields=SYNC_FIELDS)
        return False
    agent.sync_status = Agent.SyncStatus.SYNCED
    agent.sync_error = ""
    agent.synced_at = timezone.now()
    agent.save(update_fields=SYNC_FIELDS)
    return True


def delete_agent(agent: Agent) -> str:
    """Delete the agent here and at ElevenLabs (with its tools); its calls are kept.

    The local delete always happens. Returns a warning for staff when the provider could
    not delete its copy (it may need removing by hand), else "".
    """
    provider = get_provider()
    problems = []
    tool_ids = list(
        agent.functions.exclude(elevenlabs_tool_id="").values_list("elevenlabs_tool_id", flat=True)
    )
    for resource, delete, resource_id in [
        ("agent", provider.delete_agent, agent.elevenlabs_agent_id),
        *[("tool", provider.delete_tool, tool_id) for tool_id in tool_ids],
    ]:
        if not resource_id:
            continue
        try:
            delete(resource_id)  # already-gone counts as deleted
        except ProviderError as error:
            logger.warning(
                "could not delete %s %s at the provider: %r", resource, resource_id, error
            )
            problems.append(f"{resource} {resource_id}: {error}")
    # Calls keep the agent's name after the link is cleared (Call.agent is SET_NULL).
    agent.calls.filter(agent_name="").update(agent_name=agent.name)
    agent.delete()
    if not problems:
        return ""
    return (
        "ElevenLabs could not delete its copy ("
        + "; ".join(problems)
        + "). Remove it by hand in the ElevenLabs dashboard."
    )


def set_enabled(agent: Agent, enabled: bool) -> Agent:
    """Enable or disable the agent; a disabled agent places no new outbound or campaign calls."""
    if agent.enabled != enabled:
        agent.enabled = enabled
        agent.save(update_fields=["enabled", "updated_at"])
    return agent


def sync_all_agents() -> list[tuple[Agent, bool]]:
    """Sync every agent (the cron path); returns each agent with its outcome."""
    return [
        (agent, sync_agent(agent))
        for agent in Agent.objects.select_related("agency").order_by("name")
    ]
