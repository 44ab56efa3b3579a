"""Small arrangers for the voices tests."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import default_agency
from voices.models import LibraryVoice, VoiceConsent, VoiceSample
from voices.samples import silent_wav


def wav_upload(name: str = "sarah.wav", seconds: float = 12) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, silent_wav(seconds), content_type="audio/wav")


def make_consent(agency=None, speaker_name: str = "Sarah Nguyen") -> VoiceConsent:
    return VoiceConsent.objects.create(
        agency=agency or default_agency(),
        speaker_name=speaker_name,
        statement="I agree that my voice may be cloned for the agency's phone agent.",
        uploaded_by_name="olivia",
    )


def make_library_voice(voice_id: str, agency=None, name: str = "Sarah") -> LibraryVoice:
    agency = agency or default_agency()
    return LibraryVoice.objects.create(
        agency=agency, consent=make_consent(agency, name), name=name, voice_id=voice_id
    )


def make_sample(agency=None, name: str = "Tom's sample") -> VoiceSample:
    from django.core.files.base import ContentFile

    agency = agency or default_agency()
    sample = VoiceSample(
        agency=agency,
        consent=make_consent(agency, "Tom Baker"),
        name=name,
        content_type="audio/wav",
        size_bytes=0,
        duration_secs=12,
    )
    content = silent_wav(12)
    sample.size_bytes = len(content)
    sample.audio.save("tom.wav", ContentFile(content), save=False)
    sample.save()
    return sample


INITIATION = "/webhooks/elevenlabs/initiation"
TOKEN = "init-token-test"


def ring(client, caller: str, agent_id: str = "agent_sales") -> dict:
    """The initiation webhook's answer to `caller` ringing the agent."""
    response = client.post(
        INITIATION,
        {"caller_id": caller, "agent_id": agent_id, "called_number": "+61280001234"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200
    return response.json()


def spoken_voice(answer: dict) -> str | None:
    return answer.get("conversation_config_override", {}).get("tts", {}).get("voice_id")
