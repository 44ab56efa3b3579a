"""Things that happened in one app, announced for whichever apps care (outgoing webhooks,
the audit trail) without the announcing app knowing who listens.

`announce` is for events an agency's own systems may subscribe to (`call.completed`,
`contact.created`, …; PRODUCT.md §12); `record_audit` is for what the audit trail keeps.
Both are Django signals, so an install without a listener simply records nothing, and the
listeners run inside the announcer's transaction (use `transaction.on_commit` for side effects).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# kwargs: agency, event_type, data, agent_id
domain_event = Signal()
# kwargs: agency, actor, kind, summary, detail, target
audit_event = Signal()
# kwargs: agency_id, phone, sample_id, rang_at (and call_id when the call is already
# recorded) — a caller mapped to a voice sample rang, or is being called, before its clone
# was ready (the voices app starts cloning in the background).
caller_voice_needed = Signal()
# kwargs: call — an outbound call is about to be dialled; a receiver returns the voice id the
# conversation speaks with ("" for the agent's own voice).
outbound_voice_wanted = Signal()
# kwargs: agency, voice_id — a call spoke with a voice other than its agent's.
voice_used = Signal()


def announce_voice_used(agency, voice_id: str) -> None:
    """Tell the voices app that a call used `voice_id` (the clone cache counts reuses)."""
    voice_used.send(sender="voice_used", agency=agency, voice_id=voice_id)


def voice_for_outbound_call(call) -> str:
    """The voice the outbound `call` speaks with instead of its agent's ("" for the agent's
    own), as the voices app decides (a contact's mapping, else the number's)."""
    answers = outbound_voice_wanted.send(sender="outbound_voice_wanted", call=call)
    return next((voice_id for _receiver, voice_id in answers if voice_id), "")


def announce(agency, event_type: str, data: dict[str, Any], *, agent_id=None) -> None:
    """Tell listeners that `event_type` happened in `agency`; `data` is JSON-ready."""
    domain_event.send(
        sender=event_type, agency=agency, event_type=event_type, data=data, agent_id=agent_id
    )


def record_audit(
    agency,
    actor,
    kind: str,
    summary: str,
    *,
    detail: dict[str, Any] | None = None,
    target: str = "",
) -> None:
    """Record for the audit trail that `actor` (a user, or None for the system) did `kind`.

    `summary` is one line for people; `detail` holds what changed (e.g. a diff); `target`
    names the object (e.g. "contact:<id>").
    """
    audit_event.send(
        sender=kind,
        agency=agency,
        actor=actor,
        kind=kind,
        summary=summary,
        detail=detail or {},
        target=target,
    )


def text_diff(before: str, after: str, *, name: str = "text") -> str:
    """A unified diff of two texts for an audit record ("" when they are the same)."""
    import difflib

    lines = difflib.unified_diff(
        (before or "").splitlines(),
        (after or "").splitlines(),
        fromfile=f"{name} before",
        tofile=f"{name} after",
        lineterm="",
    )
    return "\n".join(lines)
