"""The voice picker lists the workspace's voices (the SDK's voices list) with accent, gender
and a preview to play; the sandbox offers sample voices whose short audio it generates."""

import wave
from io import BytesIO

import pytest
import requests
from django.urls import reverse

from agents.models import Agent
from tests.agents.test_sync import agent_form_data

pytestmark = pytest.mark.django_db


def test_the_form_lists_the_workspace_voices_with_their_previews(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    fake.add_voice("voice_matilda", "Matilda", accent="australian", gender="female")
    fake.add_voice("voice_brian", "Brian", accent="american", gender="male")

    page = staff_client.get(reverse("agents:create")).content.decode()

    assert fake.requests_to("GET", "/v1/voices")
    assert "Matilda" in page and "Australian · Female" in page
    assert "Brian" in page and "American · Male" in page
    preview = fake.voices["voice_matilda"]["preview_url"]
    assert f'data-voice-preview="{preview}"' in page
    assert requests.get(preview, timeout=5).headers["Content-Type"] == "audio/mpeg"
    # A new agent speaks with an Australian voice unless staff choose another.
    assert 'value="voice_matilda" checked' in page


def test_the_voice_list_is_cached_between_forms(staff_client, live_provider_settings):
    live_provider_settings.add_voice("voice_matilda", "Matilda")
    staff_client.get(reverse("agents:create"))
    staff_client.get(reverse("agents:create"))

    assert len(live_provider_settings.requests_to("GET", "/v1/voices")) == 1


def test_a_chosen_voice_is_synced_as_the_agents_tts_voice(staff_client, live_provider_settings):
    live_provider_settings.add_voice("voice_brian", "Brian", accent="american")
    staff_client.post(reverse("agents:create"), agent_form_data(voice_id="voice_brian"))

    created = live_provider_settings.last_request("POST", "/v1/convai/agents/create").json
    assert created["conversation_config"]["tts"] == {"voice_id": "voice_brian"}
    assert Agent.objects.get().voice_id == "voice_brian"


def test_without_a_voice_list_staff_can_still_type_a_voice_id(staff_client, live_provider_settings):
    live_provider_settings.fail_next("GET", "/v1/voices", 401, message="Invalid API key")

    page = staff_client.get(reverse("agents:create")).content.decode()

    assert "ElevenLabs did not list the voices (Invalid API key)" in page
    assert 'name="voice_id"' in page and 'type="text"' in page


def test_the_sandbox_offers_sample_voices_with_generated_previews(staff_client):
    page = staff_client.get(reverse("agents:create")).content.decode()
    assert "Charlie" in page and "Matilda" in page
    assert 'value="sbx_voice_charlie" checked' in page

    preview = staff_client.get(reverse("sandbox_voice_preview", args=["sbx_voice_matilda"]))
    assert preview["Content-Type"] == "audio/wav"
    with wave.open(BytesIO(preview.content)) as audio:
        assert 0.3 < audio.getnframes() / audio.getframerate() < 2
    assert staff_client.get(reverse("sandbox_voice_preview", args=["nobody"])).status_code == 404
