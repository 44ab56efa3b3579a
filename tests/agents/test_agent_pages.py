"""The agents pages: list with badges and toggle, template pre-fill, validation, tabs,
call history, delete (calls are kept). Sandbox provider (the test default)."""

import pytest
from django.urls import reverse

from agents.models import Agent
from calls.models import Call
from tests.agents.test_sync import agent_form_data
from tests.factories import make_agent, make_call

pytestmark = pytest.mark.django_db


def test_the_list_shows_each_agent_with_template_and_sync_badges(staff_client):
    make_agent(name="Lisa - Sales", sync_status=Agent.SyncStatus.SYNCED)
    make_agent(
        name="Max - Rentals",
        template=Agent.Template.PROPERTY_MANAGER,
        sync_status=Agent.SyncStatus.FAILED,
        sync_error="Invalid API key",
    )

    html = staff_client.get(reverse("agents:list")).content.decode()

    assert "Lisa - Sales" in html and "Max - Rentals" in html
    assert "Property sales" in html and "Property manager" in html
    assert "badge badge-synced" in html and "badge badge-failed" in html
    assert reverse("agents:create") in html


def test_the_new_agent_form_starts_from_the_sales_template(staff_client):
    html = staff_client.get(reverse("agents:create")).content.decode()

    assert "sales assistant at {{agency_name}}" in html
    assert f'hx-get="{reverse("agents:template_fields")}"' in html
    assert "{{caller_context}}" in html and "Notes and remembered facts" in html  # variables panel


def test_choosing_a_template_returns_its_prompt_and_greeting_fields(staff_client):
    response = staff_client.get(
        reverse("agents:template_fields"), {"template": "property_manager"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="template-fields"')
    assert "property-management assistant" in html
    assert "you&#x27;ve reached property management" in html
    assert "<html" not in html


def test_the_template_button_fills_the_fields_without_javascript(staff_client):
    data = agent_form_data(
        name="Keep me", template="property_manager", system_prompt="old", load_template="1"
    )

    response = staff_client.post(reverse("agents:create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Agent.objects.exists()
    assert "property-management assistant" in html and "Keep me" in html


def test_an_unknown_template_is_not_found(staff_client):
    response = staff_client.get(reverse("agents:template_fields"), {"template": "nope"})
    assert response.status_code == 404


def test_unknown_variables_in_voqos_own_names_and_malformed_names_are_refused(staff_client):
    data = agent_form_data(
        system_prompt="You are {{agent_name}}. The listing is {{Property Address}}.",
        greeting_message="Hi {{ caller_first_name }}",
    )

    response = staff_client.post(reverse("agents:create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Agent.objects.exists()
    assert (
        "{{Property Address}} is not a valid variable name: use lower-case letters, digits "
        "and _ (e.g. {{property_address}})."
    ) in html
    assert "Unknown variable {{caller_first_name}}: names starting with caller_" in html
    assert "Use {{caller_name}}, {{caller_phone}}" in html


@pytest.mark.parametrize("temperature", ["1.5", "-0.1", "warm"])
def test_temperature_must_be_between_0_and_1(staff_client, temperature):
    response = staff_client.post(reverse("agents:create"), agent_form_data(temperature=temperature))
    assert response.status_code == 200
    assert not Agent.objects.exists()
    assert 'id="id_temperature"' in response.content.decode()
    assert len(response.context["form"].errors["temperature"]) == 1  # said once, not twice


def test_creating_in_the_sandbox_gives_a_sandbox_agent_id(staff_client):
    staff_client.post(reverse("agents:create"), agent_form_data())
    agent = Agent.objects.get()
    assert agent.elevenlabs_agent_id.startswith("agent_sbx_")
    assert agent.sync_status == Agent.SyncStatus.SYNCED


def test_the_toggle_returns_the_updated_card_for_htmx(staff_client):
    agent = make_agent(name="Lisa", enabled=True)

    response = staff_client.post(
        reverse("agents:toggle", args=[agent.id]), {"enabled": "0"}, HTTP_HX_REQUEST="true"
    )

    agent.refresh_from_db()
    html = response.content.decode()
    assert agent.enabled is False
    assert html.strip().startswith(f'<li class="card" id="agent-{agent.id}"')
    assert 'aria-checked="false"' in html and 'name="enabled" value="1"' in html


def test_the_toggle_works_as_a_plain_form_post(staff_client):
    agent = make_agent(name="Lisa", enabled=False)

    response = staff_client.post(reverse("agents:toggle", args=[agent.id]), {"enabled": "1"})

    agent.refresh_from_db()
    assert agent.enabled is True
    assert response.status_code == 302 and response["Location"] == reverse("agents:list")
    # Posting the same state twice does not flip it back.
    staff_client.post(reverse("agents:toggle", args=[agent.id]), {"enabled": "1"})
    agent.refresh_from_db()
    assert agent.enabled is True


def test_the_detail_page_has_tabs_and_the_agents_settings(staff_client):
    agent = make_agent(
        name="Lisa",
        llm="gpt-4o",
        elevenlabs_agent_id="agent_sbx_1",
        sync_status=Agent.SyncStatus.SYNCED,
    )

    html = staff_client.get(reverse("agents:detail", args=[agent.id])).content.decode()

    assert f'href="{reverse("agents:detail", args=[agent.id])}" aria-current="page"' in html
    assert reverse("agents:calls", args=[agent.id]) in html
    assert reverse("functions:list", args=[agent.id]) in html
    assert "gpt-4o" in html and "agent_sbx_1" in html
    assert reverse("sandbox_simulate_inbound", args=[agent.id]) in html  # sandbox mode


def test_the_simulate_button_is_hidden_with_the_live_provider(staff_client, settings):
    settings.VOQO_PROVIDER = "live"
    agent = make_agent()
    html = staff_client.get(reverse("agents:detail", args=[agent.id])).content.decode()
    assert reverse("sandbox_simulate_inbound", args=[agent.id]) not in html
    response = staff_client.post(
        reverse("sandbox_simulate_inbound", args=[agent.id]), {"from_phone": "0412345678"}
    )
    assert response.status_code == 404


def test_the_calls_tab_lists_the_agents_calls_newest_first_and_pages(staff_client):
    from datetime import timedelta

    from django.utils import timezone

    agent = make_agent()
    other = make_agent()
    old = make_call(agent=agent, summary="The oldest call")
    Call.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    new = make_call(agent=agent, summary="The newest call")
    make_call(agent=other, summary="Someone else's call")

    html = staff_client.get(reverse("agents:calls", args=[agent.id])).content.decode()

    assert html.index("The newest call") < html.index("The oldest call")
    assert "Someone else" not in html
    assert reverse("calls:detail", args=[new.id]) in html
    for _ in range(30):
        make_call(agent=agent)
    page2 = staff_client.get(reverse("agents:calls", args=[agent.id]), {"page": 2})
    assert "Page 2 of 2" in page2.content.decode()


def test_the_delete_confirmation_says_calls_are_kept(staff_client):
    agent = make_agent(name="Lisa")
    make_call(agent=agent)

    html = staff_client.get(reverse("agents:delete", args=[agent.id])).content.decode()

    assert "Delete Lisa?" in html
    assert "call history is kept" in html and "(1 call)" in html
    assert Agent.objects.filter(pk=agent.pk).exists()


def test_deleting_an_agent_keeps_its_calls_under_its_name(staff_client):
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_1")
    call = make_call(agent=agent)
    Call.objects.filter(pk=call.pk).update(agent_name="")

    response = staff_client.post(reverse("agents:delete", args=[agent.id]), follow=True)

    call.refresh_from_db()
    assert not Agent.objects.exists()
    assert call.agent is None and call.agent_name == "Lisa"
    assert "Lisa was deleted. Its call history is kept." in response.content.decode()


def test_deleting_still_happens_when_elevenlabs_refuses_and_staff_are_warned(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_abc")
    fake.fail_next("DELETE", "/v1/convai/agents/agent_abc", 401)

    response = staff_client.post(reverse("agents:delete", args=[agent.id]), follow=True)

    assert not Agent.objects.exists()
    html = response.content.decode()
    assert "Invalid API key" in html and "Remove it by hand" in html


def test_deleting_an_agent_also_deletes_its_tools_at_elevenlabs(
    staff_client, live_provider_settings
):
    from functions.models import CustomFunction

    fake = live_provider_settings
    agent = make_agent(elevenlabs_agent_id="agent_abc")
    CustomFunction.objects.create(
        agent=agent,
        name="check",
        description="d",
        endpoint="https://api.example.com/x",
        elevenlabs_tool_id="tool_x",
    )

    staff_client.post(reverse("agents:delete", args=[agent.id]))

    assert fake.requests_to("DELETE", "/v1/convai/agents/agent_abc")
    assert fake.requests_to("DELETE", "/v1/convai/tools/tool_x")


def test_the_new_agent_form_starts_with_the_default_elevenlabs_settings(staff_client):
    html = staff_client.get(reverse("agents:create")).content.decode()
    assert 'name="temperature" value="0.5"' in html
    assert '<option value="gpt-4o-mini" selected>' in html
    assert '<option value="en" selected>' in html
