"""The prompt library and each agent's prompt history: versions, side-by-side diffs, restore."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db import transaction

from agents.models import Agent, PromptVersion, SavedPrompt
from voqo.events import record_audit


def record_prompt_version(agent: Agent, *, saved_by, note: str = "") -> PromptVersion | None:
    """Keep the agent's prompt and greeting as a new version when they differ from the last
    one kept (None when nothing changed)."""
    latest = agent.prompt_versions.order_by("-created_at").first()
    if latest and (latest.system_prompt, latest.greeting_message) == (
        agent.system_prompt,
        agent.greeting_message,
    ):
        return None
    return PromptVersion.objects.create(
        agent=agent,
        system_prompt=agent.system_prompt,
        greeting_message=agent.greeting_message,
        saved_by=saved_by if getattr(saved_by, "pk", None) else None,
        saved_by_name=saved_by.get_username() if getattr(saved_by, "pk", None) else "",
        note=note,
    )


def restore_prompt_version(version: PromptVersion, *, restored_by) -> bool:
    """Make `version` the agent's prompt and greeting again (kept as a new version), then
    sync the agent; returns whether ElevenLabs accepted it."""
    from agents.services import sync_agent

    agent = version.agent
    with transaction.atomic():
        agent.system_prompt = version.system_prompt
        agent.greeting_message = version.greeting_message
        agent.save(update_fields=["system_prompt", "greeting_message", "updated_at"])
        record_prompt_version(
            agent,
            saved_by=restored_by,
            note=f"Restored the version of {version.created_at:%-d %b %Y, %-I:%M %p}",
        )
    record_audit(
        agent.agency,
        restored_by,
        "agent.prompt_restored",
        f"Restored an earlier prompt of {agent.name}",
        target=f"agent:{agent.pk}",
    )
    return sync_agent(agent)


def version_before(version: PromptVersion) -> PromptVersion | None:
    """The version kept just before `version`, if any."""
    return (
        version.agent.prompt_versions.filter(created_at__lt=version.created_at)
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class DiffRow:
    """One line pair of a side-by-side diff; a side is None where the other has no line."""

    kind: str  # "same", "changed", "removed", "added"
    left: str | None
    right: str | None


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """`old` beside `new`, line by line, with what changed marked."""
    left, right = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [DiffRow("same", line, line) for line in left[i1:i2]]
        elif tag == "delete":
            rows += [DiffRow("removed", line, None) for line in left[i1:i2]]
        elif tag == "insert":
            rows += [DiffRow("added", None, line) for line in right[j1:j2]]
        else:
            old_lines, new_lines = left[i1:i2], right[j1:j2]
            paired = min(len(old_lines), len(new_lines))
            rows += [DiffRow("changed", a, b) for a, b in zip(old_lines, new_lines, strict=False)]
            rows += [DiffRow("removed", line, None) for line in old_lines[paired:]]
            rows += [DiffRow("added", None, line) for line in new_lines[paired:]]
    return rows


def save_prompt(prompt: SavedPrompt, *, actor) -> SavedPrompt:
    """Save a library prompt (its author is kept on creation)."""
    if prompt._state.adding and getattr(actor, "pk", None):
        prompt.created_by = actor
    prompt.save()
    return prompt
