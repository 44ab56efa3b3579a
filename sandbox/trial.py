"""The sandbox's "Try it": a scripted text conversation from the real briefing."""

from __future__ import annotations

from agents.models import Agent
from agents.trial import AgentBriefing
from sandbox.script import SimulatedCall, simulate_event

TRIAL_CONVERSATION_ID = "conv_sbx_try"


def scripted_conversation(agent: Agent, briefing: AgentBriefing) -> list[dict[str, str]]:
    """The turns of a call the sandbox would simulate for this agent and caller: [{"role":
    "agent" | "user", "message"}], opening with the agent's real greeting."""
    event = simulate_event(
        SimulatedCall(
            conversation_id=f"{TRIAL_CONVERSATION_ID}_{agent.pk}",
            agent_id=agent.elevenlabs_agent_id,
            direction="inbound",
            external_number=briefing.variables.get("caller_phone", ""),
            agent_number="",
            call_sid="",
            template=agent.template,
            agent_name=agent.name,
            greeting=agent.greeting_message,
            dynamic_variables=briefing.variables,
        ),
        failure_rate=0,
    )
    return [
        {"role": turn["role"], "message": turn.get("message") or ""}
        for turn in event["data"]["transcript"]
        if turn.get("message")
    ]
