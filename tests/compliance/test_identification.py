"""Telemarketing calls say who is calling, from a number people can call back."""

import pytest
from django.urls import reverse

from agents.models import Agent
from agents.services import sync_agent
from campaigns import engine
from campaigns.models import Job
from phone_numbers.models import PhoneNumber
from tests.campaigns.helpers import dialled_numbers, make_job, mobiles
from tests.factories import default_agency, make_agent

pytestmark = pytest.mark.django_db
ANONYMOUS_GREETING = "Hi, I'm calling about your property."
AGENT_ID = "agent_8701k3example"


def test_sync_refuses_a_telemarketing_agents_greeting_without_the_agency(
    live_provider_settings, staff_client
):
    agent = make_agent(elevenlabs_agent_id=AGENT_ID, sync_status="synced")
    make_job(mobiles(1), agent=agent, status=Job.Status.RUNNING)
    Agent.objects.filter(pk=agent.pk).update(greeting_message=ANONYMOUS_GREETING)

    response = staff_client.post(reverse("agents:sync", args=[agent.id]), follow=True)

    agent.refresh_from_db()
    assert agent.sync_status == Agent.SyncStatus.FAILED
    assert "put {{agency_name}} in the agent's greeting" in agent.sync_error
    assert "{{agency_name}}" in response.content.decode()
    assert not live_provider_settings.requests_to("PATCH", f"/v1/convai/agents/{AGENT_ID}")


def test_an_agent_no_telemarketing_job_uses_syncs_with_any_greeting(live_provider_settings):
    agent = make_agent(elevenlabs_agent_id=AGENT_ID, greeting_message=ANONYMOUS_GREETING)
    make_job(mobiles(1), agent=agent, purpose="service")

    assert sync_agent(agent) is True


def test_a_telemarketing_job_for_an_agent_that_does_not_name_the_agency_is_refused(staff_client):
    existing = make_job(mobiles(1), status=Job.Status.COMPLETED)
    agent = make_agent(name="Quiet", greeting_message=ANONYMOUS_GREETING)

    response = staff_client.post(
        reverse("campaigns:job_create", args=[existing.campaign_id]),
        {
            "agent": agent.id,
            "upload": existing.upload_id,
            "purpose": "telemarketing",
            "concurrency_cap": 2,
            "max_retries": 2,
            "retry_delay_minutes": 30,
            "calling_window": "au_telemarketing",
        },
    )

    assert response.status_code == 200
    assert "Quiet: A telemarketing call must say at its start who is calling" in (
        response.content.decode()
    )


def test_a_caller_id_that_does_not_answer_stops_a_telemarketing_job(live_provider_settings):
    agency = default_agency()
    PhoneNumber.objects.create(
        agency=agency, number="+61280009999", direction="outbound", default_outbound=True
    )
    PhoneNumber.objects.create(agency=agency, number="+61280001111", direction="inbound")
    job = make_job(mobiles(1))

    engine.dispatch_tick()

    job.refresh_from_db()
    assert dialled_numbers(live_provider_settings) == []
    assert job.status == Job.Status.FAILED
    assert "does not answer calls, so nobody can call back" in job.failure_reason


def test_a_caller_id_that_answers_lets_the_job_dial(live_provider_settings):
    PhoneNumber.objects.create(
        agency=default_agency(),
        number="+61280009999",
        direction="both",
        default_outbound=True,
        elevenlabs_phone_number_id="phnum_9999",
    )
    make_job(mobiles(1))

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == mobiles(1)
