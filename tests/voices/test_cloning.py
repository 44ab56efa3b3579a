"""A voice is cloned only with the speaker's consent on record, from samples checked first;
every clone and delete is logged and audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import make_staff_user
from tests.voices.helpers import make_consent, make_library_voice, wav_upload
from voices.models import CloneLog, LibraryVoice, VoiceConsent, VoiceSample

pytestmark = pytest.mark.django_db

ADD_VOICE = "/v1/voices/add"


@pytest.fixture
def manager(client):
    client.force_login(make_staff_user(username="olivia", role="manager"))
    return client


def test_no_voice_is_cloned_without_consent(manager, live_provider_settings):
    response = manager.post(reverse("voices:clone"), {"name": "Sarah", "samples": [wav_upload()]})

    assert (
        "Record the speaker&#x27;s consent before cloning their voice." in response.content.decode()
    )
    assert not LibraryVoice.objects.exists()
    assert not live_provider_settings.requests_to("POST", ADD_VOICE)


def test_consent_needs_a_statement_or_a_file(manager):
    response = manager.post(reverse("voices:consent_add"), {"speaker_name": "Sarah"})

    assert (
        "signed statement or upload their signed or recorded consent" in response.content.decode()
    )
    assert not VoiceConsent.objects.exists()


def test_recording_consent_keeps_who_uploaded_it(manager):
    manager.post(
        reverse("voices:consent_add"),
        {"speaker_name": "Sarah Nguyen", "statement": "I agree to have my voice cloned."},
    )

    consent = VoiceConsent.objects.get()
    assert consent.uploaded_by_name == "olivia" and consent.created_at is not None
    assert AuditEntry.objects.filter(kind="voice.consent").exists()


@pytest.mark.parametrize(
    ("upload", "problem"),
    [
        (SimpleUploadedFile("notes.txt", b"hello there"), "is not a WAV or MP3 recording"),
        (wav_upload("short.wav", seconds=3), "a voice needs at least 10 seconds"),
        (SimpleUploadedFile("empty.wav", b""), "The submitted file is empty."),
    ],
)
def test_a_sample_that_cannot_clone_is_refused_with_the_reason(
    manager, live_provider_settings, upload, problem
):
    consent = make_consent()

    response = manager.post(
        reverse("voices:clone"), {"consent": consent.pk, "name": "Sarah", "samples": [upload]}
    )

    assert problem in response.content.decode()
    assert not live_provider_settings.requests_to("POST", ADD_VOICE)


def test_cloning_uploads_every_sample_and_logs_the_clone(manager, live_provider_settings):
    consent = make_consent()

    response = manager.post(
        reverse("voices:clone"),
        {
            "consent": consent.pk,
            "name": "Sarah",
            "samples": [wav_upload("a.wav"), wav_upload("b.wav")],
        },
    )

    voice = LibraryVoice.objects.get()
    assert response.status_code == 302
    assert len(live_provider_settings.voice_samples[voice.voice_id]) == 2
    entry = CloneLog.objects.get()
    assert entry.status == "success" and entry.voice_id == voice.voice_id
    assert entry.sample_bytes == voice.sample_bytes > 0
    assert AuditEntry.objects.filter(kind="voice.cloned").exists()
    # The clone is a voice of the workspace: the agent voice picker lists it.
    picker = manager.get(reverse("agents:create")).content.decode()
    assert voice.voice_id in picker


def test_a_refused_clone_is_logged_as_failed(manager, live_provider_settings):
    consent = make_consent()
    live_provider_settings.fail_next("POST", ADD_VOICE, status=400)

    response = manager.post(
        reverse("voices:clone"), {"consent": consent.pk, "name": "Sarah", "samples": [wav_upload()]}
    )

    assert "ElevenLabs did not clone the voice" in response.content.decode()
    entry = CloneLog.objects.get()
    assert entry.status == "failed" and entry.error


def test_deleting_a_voice_removes_it_at_elevenlabs_and_keeps_the_consent(
    manager, live_provider_settings
):
    live_provider_settings.add_voice("voice_sarah", "Sarah")
    voice = make_library_voice("voice_sarah")

    manager.post(reverse("voices:delete", args=[voice.pk]))

    assert live_provider_settings.requests_to("DELETE", "/v1/voices/voice_sarah")
    assert "voice_sarah" not in live_provider_settings.voices
    assert not LibraryVoice.objects.exists() and VoiceConsent.objects.exists()
    assert AuditEntry.objects.filter(kind="voice.deleted").exists()


def test_renaming_a_voice(manager):
    voice = make_library_voice("voice_sarah")
    manager.post(reverse("voices:rename", args=[voice.pk]), {"name": "Sarah (sales)"})
    voice.refresh_from_db()
    assert voice.name == "Sarah (sales)"


def test_staff_see_the_voices_but_cannot_change_them(client):
    client.force_login(make_staff_user(username="sam", role="staff"))
    make_library_voice("voice_sarah")

    assert client.get(reverse("voices:library")).status_code == 200
    assert client.get(reverse("voices:log")).status_code == 200
    assert client.get(reverse("voices:clone")).status_code == 403
    assert client.post(reverse("voices:consent_add"), {"speaker_name": "X"}).status_code == 403


def test_another_agencys_voice_is_not_found(manager):
    from tests.factories import make_agency

    other = make_library_voice("voice_other", agency=make_agency(name="Other", slug="other"))
    assert manager.get(reverse("voices:detail", args=[other.pk])).status_code == 404


def test_the_clone_log_filters_by_status_and_caller(manager):
    from tests.factories import default_agency

    agency = default_agency()
    CloneLog.objects.create(
        agency=agency,
        operation="clone",
        caller_phone="+61412345678",
        status="success",
        voice_name="Tom",
        latency_ms=812,
    )
    CloneLog.objects.create(
        agency=agency,
        operation="clone",
        caller_phone="+61499000111",
        status="failed",
        voice_name="Ann",
        error="quota exceeded",
    )

    failed = manager.get(reverse("voices:log"), {"status": "failed"}).content.decode()
    by_caller = manager.get(reverse("voices:log"), {"caller": "412345"}).content.decode()

    assert "quota exceeded" in failed and "812 ms" not in failed
    assert "812 ms" in by_caller and "quota exceeded" not in by_caller


def test_a_cloned_voice_is_in_the_sandbox_agent_voice_picker(manager):
    make_library_voice("voice_sbx_sarah", name="Sarah")
    picker = manager.get(reverse("agents:create")).content.decode()
    assert "voice_sbx_sarah" in picker and "Sarah (cloned)" in picker


# Twelve seconds of MPEG-1 Layer III at 128 kbps, 44.1 kHz: 460 frames of 417 bytes.
TWELVE_SECOND_MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x00" + b"\x00" * 413) * 460


def test_an_mp3_sample_is_measured_frame_by_frame_and_kept(manager):
    consent = make_consent()

    response = manager.post(
        reverse("voices:sample_add"),
        {
            "consent": consent.pk,
            "name": "Tom at the open home",
            "audio": SimpleUploadedFile("tom.mp3", TWELVE_SECOND_MP3, content_type="audio/mpeg"),
        },
    )

    assert response.status_code == 302
    sample = VoiceSample.objects.get()
    assert sample.content_type == "audio/mpeg" and round(sample.duration_secs) == 12


def test_a_sample_without_consent_is_refused(manager):
    response = manager.post(reverse("voices:sample_add"), {"name": "Tom", "audio": wav_upload()})
    assert "Record the speaker&#x27;s consent before uploading their voice." in (
        response.content.decode()
    )
    assert not VoiceSample.objects.exists()


def test_a_sandbox_voice_previews_with_generated_audio_on_its_page(manager):
    voice = make_library_voice("voice_sbx_3f9a1c")

    page = manager.get(reverse("voices:detail", args=[voice.pk])).content.decode()

    preview = reverse("sandbox_voice_preview", kwargs={"voice_id": "voice_sbx_3f9a1c"})
    assert f'<audio controls preload="none" src="{preview}"' in page
    assert 'aria-labelledby="preview-heading"' in page
    audio = manager.get(preview)
    assert audio["Content-Type"] == "audio/wav" and audio.content.startswith(b"RIFF")
    # The library lists the preview too, once the voice page found it.
    assert preview in manager.get(reverse("voices:library")).content.decode()


def test_a_live_voice_previews_with_the_url_elevenlabs_gives_asked_once(
    manager, live_provider_settings
):
    consent = make_consent()
    manager.post(
        reverse("voices:clone"), {"consent": consent.pk, "name": "Sarah", "samples": [wav_upload()]}
    )
    voice = LibraryVoice.objects.get()
    expected = live_provider_settings.voices[voice.voice_id]["preview_url"]

    for _ in range(3):
        page = manager.get(reverse("voices:detail", args=[voice.pk])).content.decode()
        assert f'src="{expected}"' in page

    assert len(live_provider_settings.requests_to("GET", "/v1/voices")) == 1


def test_a_preview_elevenlabs_would_not_give_says_why(manager, live_provider_settings):
    voice = make_library_voice("voice_sarah")
    live_provider_settings.fail_next("GET", "/v1/voices", status=500, times=5)

    page = manager.get(reverse("voices:detail", args=[voice.pk])).content.decode()

    assert "ElevenLabs did not give the preview" in page and "<audio" not in page
