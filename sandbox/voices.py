"""The sandbox's sample voices, with short preview audio generated here (no network)."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib

from voqo.providers import Voice

PREVIEW_RATE = 8000
PREVIEW_SECONDS = 0.6

# (voice id, name, accent, gender, description, base pitch in Hz for the preview)
SAMPLE_VOICES: list[tuple[str, str, str, str, str, float]] = [
    ("sbx_voice_charlie", "Charlie", "australian", "male", "natural, conversational", 130.0),
    ("sbx_voice_matilda", "Matilda", "australian", "female", "warm, friendly", 220.0),
    ("sbx_voice_james", "James", "australian", "male", "calm, mature", 110.0),
    ("sbx_voice_alice", "Alice", "british", "female", "confident, clear", 240.0),
    ("sbx_voice_brian", "Brian", "american", "male", "deep, steady", 100.0),
]
DEFAULT_SAMPLE_VOICE_ID = SAMPLE_VOICES[0][0]


def sample_voices(preview_url_for) -> list[Voice]:
    """The sample voices; `preview_url_for(voice_id)` gives each its preview's address."""
    return [
        Voice(
            voice_id=voice_id,
            name=name,
            accent=accent,
            gender=gender,
            description=description,
            preview_url=preview_url_for(voice_id),
        )
        for voice_id, name, accent, gender, description, _pitch in SAMPLE_VOICES
    ]


# A sandbox clone's synthetic id (SandboxProvider.clone_voice): its preview's pitch comes
# from the id, so each cloned voice sounds a little different.
CLONE_PREFIX = "voice_sbx_"


def _pitch(voice_id: str) -> float | None:
    pitch = next((row[5] for row in SAMPLE_VOICES if row[0] == voice_id), None)
    if pitch is None and voice_id.startswith(CLONE_PREFIX) and len(voice_id) > len(CLONE_PREFIX):
        pitch = 100.0 + zlib.crc32(voice_id.encode()) % 160
    return pitch


def preview_wav(voice_id: str) -> bytes | None:
    """A short three-note WAV in the voice's pitch (None for an unknown voice)."""
    pitch = _pitch(voice_id)
    if pitch is None:
        return None
    frames = bytearray()
    note_frames = int(PREVIEW_RATE * PREVIEW_SECONDS / 3)
    for step in (1.0, 1.25, 1.5):
        for n in range(note_frames):
            fade = min(1.0, n / 200, (note_frames - n) / 200)
            sample = 0.3 * fade * math.sin(2 * math.pi * pitch * step * n / PREVIEW_RATE)
            frames += struct.pack("<h", int(sample * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(PREVIEW_RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()
