"""The voices an agent can speak with, as the provider lists them (cached briefly)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from voqo.providers import ProviderError, Voice, get_provider

VOICES_CACHE_SECONDS = 600
DEFAULT_ACCENT = "australian"


def _voices_key(agency) -> str:
    return f"voqo:voices:{settings.VOQO_PROVIDER}:{agency.pk if agency else ''}"


def forget_workspace_voices(agency) -> None:
    """Drop the agency's cached voice list (after a voice was cloned, renamed or deleted)."""
    cache.delete(_voices_key(agency))


def workspace_voices(agency=None) -> tuple[list[Voice], str]:
    """(voices, problem): the workspace's voices, or [] and why they could not be listed.

    Cached for ten minutes per provider mode and agency: the agent form is opened far more
    often than voices are added, and ElevenLabs answers the list slowly.
    """
    # Per agency: an agency with its own ElevenLabs workspace has its own voices.
    key = _voices_key(agency)
    voices = cache.get(key)
    if voices is None:
        try:
            voices = get_provider(agency).list_voices()
        except ProviderError as error:
            return [], f"ElevenLabs did not list the voices ({error}); type a voice ID instead."
        cache.set(key, voices, VOICES_CACHE_SECONDS)
    return voices + _library_voices_not_listed(agency, voices), ""


def _library_voices_not_listed(agency, voices: list[Voice]) -> list[Voice]:
    """The agency's cloned voices (voices app) the provider did not list: the sandbox lists
    only its samples, and a clone made a moment ago may be missing from a cached list."""
    if agency is None:
        return []
    from voices.models import LibraryVoice

    listed = {voice.voice_id for voice in voices}
    return [
        Voice(voice_id=voice_id, name=f"{name} (cloned)", description="Your agency's own voice")
        for voice_id, name in LibraryVoice.objects.filter(agency=agency)
        .exclude(voice_id="")
        .values_list("voice_id", "name")
        if voice_id not in listed
    ]


def default_voice_id(voices: list[Voice]) -> str:
    """An Australian voice for new agents (English with an Australian accent by default)."""
    return next((v.voice_id for v in voices if v.accent.lower() == DEFAULT_ACCENT), "")
