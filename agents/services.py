"""What the agents domain does: keep each agent in step with its ElevenLabs twin."""

from __future__ import annotations

import logging

from django.apps import apps
from django.utils import timezone

from agents.models import Agent
from compliance.rules import telemarketing_greeting_problem
from outcomes.dispositions import data_collection_items, evaluation_criteria
from phone_numbers.selectors import forget_numbers_of
from phone_numbers.services import reassign_numbers_of
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS
from voqo.providers import (
    DEFAULT_DATA_COLLECTION,
    AgentBehaviour,
    AgentSpec,
    KnowledgeDocumentRef,
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
        behaviour=agent_behaviour(agent),
        allow_prompt_override=_prompt_override_in_use(agent),
        tags=[agent_tag(agent)],
        # Knowledge documents attached to the agent (the knowledge app's relation).
        knowledge_base=[
            KnowledgeDocumentRef(
                document_id=document.elevenlabs_document_id,
                name=document.name,
                kind=document.locator_kind,
            )
            for document in agent.knowledge_documents.filter(status="ready")
            .exclude(elevenlabs_document_id="")
            .order_by("name")
        ],
        # The caller's name and memories, and the agency's outcomes and their details.
        data_collection={**DEFAULT_DATA_COLLECTION, **data_collection_items(agent.agency)},
        evaluation_criteria=evaluation_criteria(),
    )


def _prompt_override_in_use(agent: Agent) -> bool:
    """Whether an open job or a pending scheduled call replaces this agent's prompt: only
    then may ElevenLabs accept a prompt override (an agent without login accepts allowed
    overrides from any web client)."""
    open_jobs = agent.jobs.filter(status__in=("pending", "running", "paused"))
    if open_jobs.exclude(prompt_override="").exists():
        return True
    scheduled_call = apps.get_model("scheduling", "ScheduledCall")
    return (
        scheduled_call.objects.filter(agent=agent, status="pending")
        .exclude(prompt_text="")
        .exists()
    )


def agent_behaviour(agent: Agent) -> AgentBehaviour:
    """How `agent` behaves on a call, in the provider's terms (-1 means no limit there)."""
    return AgentBehaviour(
        max_tokens=agent.max_tokens or -1,
        turn_timeout=agent.turn_timeout,
        silence_end_call_timeout=(
            float(agent.silence_end_call_timeout) if agent.silence_end_call_timeout else -1.0
        ),
        max_duration_seconds=agent.max_duration_seconds,
        interruptions=agent.interruptions,
        keywords=tuple(agent.keyword_list()),
        transfer_number=agent.transfer_number,
        transfer_condition=agent.transfer_condition,
        voicemail_detection=agent.voicemail_detection,
        voicemail_message=agent.voicemail_message if agent.voicemail_detection else "",
    )


def agent_tag(agent: Agent) -> str:
    """The tag Voqo puts on the provider's copy of `agent`: finds it again by our id."""
    return f"voqo:{agent.pk}"


def _create_or_adopt(provider, agent: Agent, spec: AgentSpec) -> str:
    """Create the agent at the provider, unless an earlier create already did.

    A create whose answer was lost (a read timeout, a dropped connection) may have made the
    agent all the same, and a crash can fall between the provider's answer and our save:
    before creating, look for an agent with this name that carries our tag, and adopt it
    (the caller then PATCHes it to the current configuration).
    """
    found = provider.find_agent(name=spec.name, tag=agent_tag(agent))
    if found:
        logger.info("agent %s already exists at the provider as %s; adopting it", agent.id, found)
        provider.update_agent(found, spec)
        return found
    return provider.create_agent(spec)


def sync_agent(agent: Agent) -> bool:
    """Create the agent at ElevenLabs, or PATCH it when it has an id; record the outcome.

    On a provider error the local agent is kept as it is, `sync_status` becomes failed and
    `sync_error` holds the provider's message; returns False. An agent that was deleted at
    ElevenLabs by hand (404 on PATCH) is created again. A create is never repeated blindly:
    an agent an unanswered create made is found by name and tag and adopted instead.
    """
    if problem := telemarketing_greeting_problem(agent):
        # Telemarketing calls must identify the caller at the start (2017 Standard).
        agent.sync_status = Agent.SyncStatus.FAILED
        agent.sync_error = f"Not synced: this agent makes telemarketing calls. {problem}"
        agent.save(update_fields=SYNC_FIELDS)
        return False
    spec = agent_spec(agent)
    previous_id = agent.elevenlabs_agent_id
    try:
        provider = get_provider(agent.agency)  # the agency's own workspace, if it has one
        if agent.elevenlabs_agent_id:
            try:
                provider.update_agent(agent.elevenlabs_agent_id, spec)
            except ProviderNotFound:
                logger.info("agent %s is gone at the provider; creating it again", agent.id)
                agent.elevenlabs_agent_id = _create_or_adopt(provider, agent, spec)
        else:
            agent.elevenlabs_agent_id = _create_or_adopt(provider, agent, spec)
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
    forget_numbers_of(agent)  # the initiation answer shows its new greeting at once
    if agent.elevenlabs_agent_id != previous_id:
        # Numbers assigned before the agent existed at ElevenLabs (or before it was created
        # again there) are answered by its new id from now on.
        reassign_numbers_of(agent)
    return True


def delete_agent(agent: Agent) -> str:
    """Delete the agent here and at ElevenLabs (with its tools); its calls are kept.

    The local delete always happens. Returns a warning for staff when the provider could
    not delete its copy (it may need removing by hand), else "".
    """
    problems = []
    tool_ids = list(
        agent.functions.exclude(elevenlabs_tool_id="").values_list("elevenlabs_tool_id", flat=True)
    )
    for resource, method, resource_id in [
        ("agent", "delete_agent", agent.elevenlabs_agent_id),
        *[("tool", "delete_tool", tool_id) for tool_id in tool_ids],
    ]:
        if not resource_id:
            continue
        try:
            # The agency's own workspace, if it has one; already-gone counts as deleted.
            getattr(get_provider(agent.agency), method)(resource_id)
        except ProviderError as error:
            logger.warning(
                "could not delete %s %s at the provider: %r", resource, resource_id, error
            )
            problems.append(f"{resource} {resource_id}: {error}")
    forget_numbers_of(agent)
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
        forget_numbers_of(agent)
    return agent


def sync_all_agents() -> list[tuple[Agent, bool]]:
    """Sync every agent (the cron path); returns each agent with its outcome."""
    return [
        (agent, sync_agent(agent))
        for agent in Agent.objects.select_related("agency").order_by("name")
    ]
