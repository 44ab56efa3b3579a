"""What an agent knows about the caller when a call starts (inbound or outbound)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from contacts.models import Contact, Memory
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS
from voqo.models import Setting

# Enough for the LLM to be personal without crowding the prompt (ElevenLabs bills tokens).
CALLER_CONTEXT_MAX_CHARS = 1500
CALLER_CONTEXT_MAX_MEMORIES = 20


def caller_context(contact: Contact | None, memories: list[str]) -> str:
    """Notes, then memories newest first, capped to CALLER_CONTEXT_MAX_CHARS."""
    if contact is None:
        return ""
    parts = []
    if contact.notes.strip():
        parts.append(f"Notes: {contact.notes.strip()}")
    if memories:
        parts.append("Known facts:\n" + "\n".join(f"- {m}" for m in memories))
    text = "\n".join(parts)
    if len(text) > CALLER_CONTEXT_MAX_CHARS:
        text = text[: CALLER_CONTEXT_MAX_CHARS - 1].rsplit("\n", 1)[0] + "\n…"
    return text


def recent_memories(contact: Contact | None) -> list[str]:
    if contact is None:
        return []
    return list(
        Memory.objects.filter(contact=contact)
        .order_by("-created_at")
        .values_list("content", flat=True)[:CALLER_CONTEXT_MAX_MEMORIES]
    )


def caller_variables(
    *, phone: str, contact: Contact | None, agent_name: str = "", now: datetime | None = None
) -> dict[str, str]:
    """The full set of dynamic variables for a call with `phone` (every key always present)."""
    values = Setting.all_values()
    zone = ZoneInfo(values.get("time_zone") or "Australia/Sydney")
    local = (now or timezone.now()).astimezone(zone)
    variables = dict(CALLER_VARIABLE_PLACEHOLDERS)
    variables.update(
        {
            "caller_name": contact.name if contact and contact.name else "there",
            "caller_phone": phone,
            "agency_name": values.get("agency_name", ""),
            "agent_name": agent_name,
            "current_date": local.strftime("%A %-d %B %Y"),
            "current_time": local.strftime("%-I:%M %p"),
            "caller_context": caller_context(contact, recent_memories(contact)),
        }
    )
    return variables
