"""Every saved version of an agent's prompt and greeting is kept with who and when; a
version shows beside the one before it, and Restore brings it back and syncs again."""

import pytest
from django.urls import reverse

from agents.models import Agent, PromptVersion
from agents.prompts import side_by_side
from tests.agents.test_sync import agent_form_data
from tests.factories import make_agency, make_agent

pytestmark = pytest.mark.django_db
AGENTS = "/v1/convai/agents"


@pytest.fixture
def saved_twice(staff_client):
    staff_client.post(
        reverse("agents:create"),
        agent_form_data(system_prompt="Be brief.\nAsk their budget.", greeting_message="Hi!"),
    )
    agent = Agent.objects.get()
    staff_client.post(
        reverse("agents:edit", args=[agent.id]),
        agent_form_data(
            system_prompt="Be brief.\nAsk their suburb.\nBook an inspection.",
            greeting_message="Hi!",
        ),
    )
    return agent


def test_each_save_that_changes_the_prompt_is_kept_with_who_and_when(
    staff_client, staff_user, saved_twice
):
    agent = saved_twice
    # Saving again without a change keeps no new version.
    staff_client.post(
        reverse("agents:edit", args=[agent.id]),
        agent_form_data(
            system_prompt="Be brief.\nAsk their suburb.\nBook an inspection.",
            greeting_message="Hi!",
        ),
    )

    versions = list(agent.prompt_versions.order_by("created_at"))
    assert [v.system_prompt for v in versions] == [
        "Be brief.\nAsk their budget.",
        "Be brief.\nAsk their suburb.\nBook an inspection.",
    ]
    assert {v.saved_by_name for v in versions} == {staff_user.username}
    page = staff_client.get(reverse("agents:history", args=[agent.id])).content.decode()
    assert page.count("Compare<span") == 2
    assert staff_user.username in page


def test_a_version_shows_beside_the_one_before_it(staff_client, saved_twice):
    agent = saved_twice
    latest = agent.prompt_versions.order_by("-created_at").first()

    response = staff_client.get(reverse("agents:version", args=[agent.id, latest.id]))

    rows = response.context["prompt_rows"]
    assert [(r.kind, r.left, r.right) for r in rows] == [
        ("same", "Be brief.", "Be brief."),
        ("changed", "Ask their budget.", "Ask their suburb."),
        ("added", None, "Book an inspection."),
    ]
    page = response.content.decode()
    assert "diff-changed" in page and "Prompt before" in page


def test_restore_brings_a_version_back_and_syncs_it(
    staff_client, saved_twice, live_provider_settings
):
    agent = saved_twice
    first = agent.prompt_versions.order_by("created_at").first()
    # The agent was created in sandbox mode; sync it to the fake first.
    agent.elevenlabs_agent_id = ""
    agent.save()
    fake = live_provider_settings

    response = staff_client.post(reverse("agents:version_restore", args=[agent.id, first.id]))

    assert response["Location"] == reverse("agents:history", args=[agent.id])
    agent.refresh_from_db()
    assert agent.system_prompt == "Be brief.\nAsk their budget."
    sent = fake.last_request("POST", f"{AGENTS}/create").json
    assert sent["conversation_config"]["agent"]["prompt"]["prompt"] == agent.system_prompt
    assert agent.sync_status == Agent.SyncStatus.SYNCED
    newest = agent.prompt_versions.order_by("-created_at").first()
    assert newest.system_prompt == first.system_prompt
    assert newest.note.startswith("Restored the version of")
    assert agent.prompt_versions.count() == 3


def test_the_diff_against_the_current_prompt(staff_client, saved_twice):
    agent = saved_twice
    first = agent.prompt_versions.order_by("created_at").first()

    response = staff_client.get(
        reverse("agents:version", args=[agent.id, first.id]) + "?against=current"
    )

    assert ("changed", "Ask their budget.", "Ask their suburb.") in [
        (r.kind, r.left, r.right) for r in response.context["prompt_rows"]
    ]
    assert "Restore this version" in response.content.decode()


def test_another_agencys_versions_are_out_of_reach(staff_client):
    theirs = make_agent(agency=make_agency())
    version = PromptVersion.objects.create(agent=theirs, system_prompt="Secret")
    mine = make_agent()

    assert (
        staff_client.get(reverse("agents:version", args=[theirs.id, version.id])).status_code == 404
    )
    assert (
        staff_client.get(reverse("agents:version", args=[mine.id, version.id])).status_code == 404
    )
    restore = reverse("agents:version_restore", args=[mine.id, version.id])
    assert staff_client.post(restore).status_code == 404


def test_side_by_side_marks_removed_lines():
    rows = side_by_side("a\nb\nc", "a\nc")
    assert [(r.kind, r.left, r.right) for r in rows] == [
        ("same", "a", "a"),
        ("removed", "b", None),
        ("same", "c", "c"),
    ]
