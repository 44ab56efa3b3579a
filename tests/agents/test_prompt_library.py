"""The prompt library: saved prompts with name, category and description, used to start an
agent; per agency, managers only."""

import pytest
from django.urls import reverse

from agents.models import SavedPrompt
from tests.factories import make_agency, make_agent, make_staff_user

pytestmark = pytest.mark.django_db


def prompt_form(**overrides):
    return {
        "name": "Open home follow-up",
        "category": "sales",
        "description": "Calls people who came to an open home.",
        "system_prompt": "You follow up {{caller_name}} about {{suburb}}.",
        "greeting_message": "Hi {{caller_name}}, it's {{agent_name}}.",
        **overrides,
    }


def test_a_saved_prompt_starts_a_new_agent(staff_client):
    staff_client.post(reverse("agents:prompt_create"), prompt_form())
    saved = SavedPrompt.objects.get()
    assert saved.category == "sales" and saved.created_by is not None

    listing = staff_client.get(reverse("agents:prompts") + "?category=sales").content.decode()
    assert "Open home follow-up" in listing and "Calls people who came" in listing

    form = staff_client.get(reverse("agents:create") + f"?prompt={saved.id}")
    assert form.context["form"].initial["system_prompt"] == saved.system_prompt
    assert form.context["form"].initial["greeting_message"] == saved.greeting_message
    assert "Start from a saved prompt" in form.content.decode()


def test_an_agents_prompt_can_be_saved_to_the_library(staff_client):
    agent = make_agent(name="Lisa", system_prompt="Be kind to {{caller_name}}.")
    page = staff_client.get(reverse("agents:prompt_create") + f"?from_agent={agent.id}")
    assert page.context["form"].initial["system_prompt"] == "Be kind to {{caller_name}}."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "required"),
        ({"category": "spam"}, "category", "Select a valid choice"),
        ({"system_prompt": "Hi {{caller_nmae}}"}, "system_prompt", "caller_nmae"),
    ],
)
def test_bad_prompts_are_refused(staff_client, overrides, field, message):
    response = staff_client.post(reverse("agents:prompt_create"), prompt_form(**overrides))
    assert message in " ".join(response.context["form"].errors[field])


def test_names_are_unique_within_the_agency_only(staff_client):
    SavedPrompt.objects.create(agency=make_agency(), name="Open home follow-up", system_prompt="x")
    staff_client.post(reverse("agents:prompt_create"), prompt_form())
    response = staff_client.post(
        reverse("agents:prompt_create"), prompt_form(name="open home FOLLOW-UP")
    )
    assert "already has a prompt called" in " ".join(response.context["form"].errors["name"])


def test_deleting_asks_first_and_another_agencys_prompts_are_out_of_reach(staff_client):
    staff_client.post(reverse("agents:prompt_create"), prompt_form())
    saved = SavedPrompt.objects.get()
    theirs = SavedPrompt.objects.create(agency=make_agency(), name="Theirs", system_prompt="x")

    assert (
        "Delete “Open home follow-up”?"
        in staff_client.get(reverse("agents:prompt_delete", args=[saved.id])).content.decode()
    )
    staff_client.post(reverse("agents:prompt_delete", args=[saved.id]))
    assert not SavedPrompt.objects.filter(pk=saved.pk).exists()
    assert staff_client.get(reverse("agents:prompt_edit", args=[theirs.id])).status_code == 404
    assert staff_client.get(reverse("agents:create") + f"?prompt={theirs.id}").status_code == 404
    assert "Theirs" not in staff_client.get(reverse("agents:prompts")).content.decode()


def test_staff_below_manager_only_read_the_library(client):
    from agencies.models import Membership

    client.force_login(make_staff_user("viewer", role=Membership.Role.STAFF))
    assert client.get(reverse("agents:prompts")).status_code == 200
    assert client.post(reverse("agents:prompt_create"), prompt_form()).status_code == 403
