import re

import pytest

pytestmark = pytest.mark.browser


def test_staff_pick_a_voice_play_its_preview_and_save(logged_in_page, live_server):
    from agents.models import Agent
    from tests.factories import make_agent

    agent = make_agent(name="Lisa")
    page = logged_in_page
    page.goto(f"{live_server.url}/agents/{agent.id}/edit/")

    matilda = page.get_by_role("radio", name=re.compile("Matilda"))
    matilda.check()
    page.get_by_role("button", name="Play a preview of Matilda").click()
    # The shared player loads the sandbox's generated preview and plays it.
    page.wait_for_function(
        "(document.getElementById('voice-preview-player').getAttribute('data-played') || '')"
        ".includes('/sandbox/voices/sbx_voice_matilda/preview.wav')"
    )
    page.get_by_role("button", name="Save and sync").click()

    page.wait_for_url(re.compile(rf"/agents/{agent.id}/$"))
    assert page.get_by_text("saved and synced to ElevenLabs").is_visible()
    agent.refresh_from_db()
    assert agent.voice_id == "sbx_voice_matilda"
    assert Agent.objects.get(pk=agent.pk).sync_status == Agent.SyncStatus.SYNCED
