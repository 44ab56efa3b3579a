"""A job may use a saved prompt instead of its agent's: copied into the job, sent as the
call's prompt override (which the agent is synced to allow), filled with each row."""

import pytest
from django.urls import reverse

from agents.models import SavedPrompt
from campaigns import engine
from campaigns.models import Job
from campaigns.services import JobRefused, create_job
from tests.campaigns.helpers import OUTBOUND_PATH, make_job, mobiles
from tests.factories import default_agency, make_agency, make_agent

pytestmark = pytest.mark.django_db
AGENTS = "/v1/convai/agents"


def saved(**fields):
    defaults = {
        "agency": default_agency(),
        "name": "Spring follow-up",
        "category": "sales",
        "system_prompt": "Follow up {{caller_name}} about {{suburb}}.",
        "greeting_message": "Hi {{caller_name}}, a quick one about {{suburb}}.",
    }
    return SavedPrompt.objects.create(**{**defaults, **fields})


def test_a_jobs_saved_prompt_replaces_the_agents_on_its_calls(live_provider_settings):
    fake = live_provider_settings
    agent = make_agent(name="Lisa")
    from agents.services import sync_agent

    sync_agent(agent)
    job = make_job(mobiles(1), agent=agent)
    upload, campaign = job.upload, job.campaign
    job.delete()
    prompt = saved()

    job = create_job(campaign=campaign, upload=upload, agent=agent, saved_prompt=prompt)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, calling_window="anytime")

    # The agent now allows a prompt override at ElevenLabs.
    patched = fake.last_request("PATCH", f"{AGENTS}/{agent.elevenlabs_agent_id}").json
    overrides = patched["platform_settings"]["overrides"]["conversation_config_override"]
    assert overrides["agent"]["prompt"] == {"prompt": True}
    prompt.system_prompt = "Edited later"
    prompt.save()

    engine.dispatch_tick()

    (sent,) = fake.requests_to("POST", OUTBOUND_PATH)
    override = sent.json["conversation_initiation_client_data"]["conversation_config_override"]
    assert override["agent"]["prompt"] == {"prompt": "Follow up Person 0 about Bondi."}
    assert override["agent"]["first_message"] == "Hi Person 0, a quick one about Bondi."


def test_agents_allow_no_prompt_override_without_such_a_job(live_provider_settings):
    agent = make_agent(name="Lisa")
    from agents.services import sync_agent

    sync_agent(agent)
    created = live_provider_settings.last_request("POST", f"{AGENTS}/create").json
    overrides = created["platform_settings"]["overrides"]["conversation_config_override"]
    assert overrides["agent"]["prompt"] == {"prompt": False}


def test_a_saved_prompt_needing_columns_the_upload_lacks_is_refused(db):
    job = make_job(mobiles(1))
    prompt = saved(system_prompt="About {{price_guide}}.")

    with pytest.raises(JobRefused, match=r"uses \{\{price_guide\}\}"):
        create_job(campaign=job.campaign, upload=job.upload, agent=job.agent, saved_prompt=prompt)


def test_another_agencys_saved_prompt_is_refused(db):
    job = make_job(mobiles(1))
    prompt = saved(agency=make_agency())

    with pytest.raises(JobRefused, match="belongs to another agency"):
        create_job(campaign=job.campaign, upload=job.upload, agent=job.agent, saved_prompt=prompt)


def test_the_job_form_offers_the_library_and_the_job_page_names_the_prompt(staff_client):
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_x", sync_status="synced")
    job = make_job(mobiles(1), agent=agent)
    prompt = saved()
    form_page = staff_client.get(reverse("campaigns:job_create", args=[job.campaign_id]))
    assert "Spring follow-up" in form_page.content.decode()

    response = staff_client.post(
        reverse("campaigns:job_create", args=[job.campaign_id]),
        {
            "agent": agent.id,
            "upload": job.upload_id,
            "saved_prompt": prompt.id,
            "caller_number": "",
            "concurrency_cap": 2,
            "max_retries": 1,
            "retry_delay_minutes": 30,
            "calling_window": "au_telemarketing",
        },
    )
    new_job = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("campaigns:job", args=[new_job.id])
    page = staff_client.get(response["Location"]).content.decode()
    assert "“Spring follow-up” from the prompt library" in page
