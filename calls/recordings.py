"""Call recordings: stored once (from the post_call_audio webhook or on first playback)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from calls.models import Call
from voqo.providers import ProviderNotFound, get_provider


def store_recording(call: Call, audio: bytes) -> None:
    """Save MP3 bytes as the call's recording file (default storage, MEDIA_ROOT)."""
    call.recording_file.save(f"{call.pk}.mp3", ContentFile(audio), save=False)
    call.save(update_fields=["recording_file"])


def ensure_recording(call: Call) -> bool:
    """Make sure the call's recording is stored, fetching it from ElevenLabs if needed.

    Returns False when the provider has no recording. Raises ProviderError on failures.
    """
    if call.recording_file:
        return True
    if call.recording_removed:
        return False  # removed by the retention purge or a forget request: never fetched again
    if not call.elevenlabs_conversation_id:
        return False
    try:
        audio = get_provider(call.agency).get_conversation_audio(call.elevenlabs_conversation_id)
    except ProviderNotFound:
        return False
    if not audio:
        return False
    store_recording(call, audio)
    return True
