"""Checks on a voice sample before it is uploaded: WAV read with the standard library, MP3
sniffed frame by frame (no audio libraries)."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

MAX_SAMPLE_BYTES = 10 * 1024 * 1024  # ElevenLabs takes up to 10 MB per sample
MIN_SECONDS = 10  # shorter samples clone poorly
MAX_SECONDS = 5 * 60
MAX_SAMPLES = 25

# Layer III bitrates (kbps) by header index: MPEG-1, and MPEG-2/2.5 (lower sample rates).
_MP3_BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
_MP3_LSF_BITRATES = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
_MP3_RATES = [44100, 48000, 32000]


class SampleRejected(ValueError):
    """The recording cannot be used to clone a voice; the message says why."""


@dataclass(frozen=True)
class CheckedSample:
    filename: str
    content: bytes
    content_type: str
    duration_secs: float


def check_sample(filename: str, content: bytes) -> CheckedSample:
    """The sample with its format and length, or SampleRejected with a clear reason."""
    if not content:
        raise SampleRejected(f"{filename} is empty.")
    if len(content) > MAX_SAMPLE_BYTES:
        raise SampleRejected(f"{filename} is larger than 10 MB; upload a shorter recording.")
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        duration, content_type = _wav_seconds(filename, content), "audio/wav"
    elif content[:3] == b"ID3" or content[:2] in (b"\xff\xfb", b"\xff\xfa", b"\xff\xf3"):
        duration, content_type = _mp3_seconds(filename, content), "audio/mpeg"
    else:
        raise SampleRejected(f"{filename} is not a WAV or MP3 recording.")
    if duration < MIN_SECONDS:
        raise SampleRejected(
            f"{filename} is {duration:.0f} seconds long; a voice needs at least "
            f"{MIN_SECONDS} seconds of clear speech."
        )
    if duration > MAX_SECONDS:
        raise SampleRejected(f"{filename} is longer than {MAX_SECONDS // 60} minutes.")
    return CheckedSample(filename, content, content_type, duration)


def _wav_seconds(filename: str, content: bytes) -> float:
    try:
        with wave.open(io.BytesIO(content)) as recording:
            return recording.getnframes() / float(recording.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError) as error:
        raise SampleRejected(f"{filename} is not a readable WAV file ({error}).") from error


def _mp3_seconds(filename: str, content: bytes) -> float:
    position = 0
    if content[:3] == b"ID3" and len(content) >= 10:
        size = content[6:10]
        position = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
    seconds, frames = 0.0, 0
    while position + 4 <= len(content):
        header = content[position : position + 4]
        if header[0] != 0xFF or (header[1] & 0xFE) not in (0xFA, 0xF2):
            break
        bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 0x3
        if not 0 < bitrate_index < 15 or rate_index == 3:
            break
        mpeg1 = header[1] & 0x08
        rate = _MP3_RATES[rate_index] // (1 if mpeg1 else 2)
        padding = (header[2] >> 1) & 0x1
        samples = 1152 if mpeg1 else 576
        bitrate = (_MP3_BITRATES if mpeg1 else _MP3_LSF_BITRATES)[bitrate_index]
        length = samples // 8 * bitrate * 1000 // rate + padding
        seconds += samples / rate
        frames += 1
        position += length
    if not frames:
        raise SampleRejected(f"{filename} has no MP3 audio frames.")
    return seconds


def silent_wav(seconds: float) -> bytes:
    """A silent mono 8 kHz WAV of `seconds` (demo data and tests)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * int(8000 * seconds))
    return buffer.getvalue()
