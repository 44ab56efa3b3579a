"""What other apps may read of the voices domain (the call page, the API)."""

from __future__ import annotations

from voices.models import CallCloneEvent, LibraryVoice, VoiceClone


def call_voice(call) -> dict:
    """{"voice_name": the name of the voice the call spoke with ("" when it was the agent's
    or is unknown), "clone_events": the clone the call set off, ready or failed}.
    At most three queries, none when the call used the agent's voice and cloned nothing."""
    events = list(CallCloneEvent.objects.filter(call=call))
    name = ""
    if call.voice_id:
        name = (
            LibraryVoice.objects.filter(agency_id=call.agency_id, voice_id=call.voice_id)
            .values_list("name", flat=True)
            .first()
            or VoiceClone.objects.filter(agency_id=call.agency_id, voice_id=call.voice_id)
            .values_list("sample__name", flat=True)
            .first()
            or ""
        )
    return {"voice_name": name, "clone_events": events}


def clone_events_for_calls(call_ids) -> dict:
    """{call id: [its clone events, oldest first]} for many calls in one query."""
    by_call: dict = {}
    for event in CallCloneEvent.objects.filter(call_id__in=list(call_ids)):
        by_call.setdefault(event.call_id, []).append(event)
    return by_call
