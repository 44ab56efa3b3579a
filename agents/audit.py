"""What the audit trail keeps about agents: prompt and greeting changes, with the diff."""

from __future__ import annotations

from agents.models import Agent
from voqo.events import record_audit, text_diff


def record_prompt_changes(*, agent: Agent, prompt_before: str, greeting_before: str, actor):
    """Record a change of the agent's prompt or greeting (nothing when neither changed)."""
    diffs = {
        "prompt": text_diff(prompt_before, agent.system_prompt, name="prompt"),
        "greeting": text_diff(greeting_before, agent.greeting_message, name="greeting"),
    }
    changed = [name for name, diff in diffs.items() if diff]
    if not changed:
        return
    record_audit(
        agent.agency,
        actor,
        "agent.prompt_changed",
        f"Changed the {' and '.join(changed)} of {agent.name}",
        detail={"diff": "\n".join(diffs[name] for name in changed), "changed": changed},
        target=f"agent:{agent.pk}",
    )
