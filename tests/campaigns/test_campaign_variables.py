"""One model for campaign variables: the upload declares them, the agent uses them, the job
checks that the one supplies what the other uses (issue: the editor refused {{suburb}})."""

import pytest
from django.urls import reverse

from campaigns.models import Job
from campaigns.services import JobRefused, create_job
from tests.campaigns.helpers import make_job, mobiles
from tests.campaigns.test_uploads import upload
from tests.factories import default_agency, make_agent

pytestmark = pytest.mark.django_db


def job_form(job, agent) -> dict:
    return {
        "agent": agent.id,
        "upload": job.upload.id,
        "concurrency_cap": 2,
        "max_retries": 2,
        "retry_delay_minutes": 30,
        "calling_window": "au_telemarketing",
    }


def test_a_job_whose_agent_uses_variables_the_upload_lacks_is_refused_naming_them(staff_client):
    existing = make_job(mobiles(2), status=Job.Status.COMPLETED)  # upload variables: suburb
    agent = make_agent(
        name="Lisa",
        system_prompt="Ask about {{suburb}} and the price {{price}}.",
        greeting_message="Hi, it's about {{property_address}}.",
    )

    response = staff_client.post(
        reverse("campaigns:job_create", args=[existing.campaign_id]), job_form(existing, agent)
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Lisa uses the campaign variables {{price}}, {{property_address}}, which the upload "
        "“list.csv” does not have (its variables: {{suburb}})."
    ) in html
    assert Job.objects.count() == 1


def test_a_job_whose_upload_supplies_every_variable_is_created(staff_client):
    existing = make_job(mobiles(2), status=Job.Status.COMPLETED)
    agent = make_agent(system_prompt="Ask about the home in {{suburb}}.")

    response = staff_client.post(
        reverse("campaigns:job_create", args=[existing.campaign_id]), job_form(existing, agent)
    )

    assert response.status_code == 302
    assert Job.objects.filter(agent=agent).get().total_calls == 2


def test_the_service_refuses_the_job_too(staff_client):
    existing = make_job(mobiles(1), status=Job.Status.COMPLETED)
    agent = make_agent(greeting_message="Hi {{first_name}}")
    with pytest.raises(JobRefused, match=r"\{\{first_name\}\}"):
        create_job(campaign=existing.campaign, upload=existing.upload, agent=agent)


def test_the_job_form_lists_each_uploads_variables(staff_client):
    existing = make_job(mobiles(1), status=Job.Status.COMPLETED)
    page = staff_client.get(reverse("campaigns:job_create", args=[existing.campaign_id]))
    assert "list.csv — variables {{suburb}}" in page.content.decode()


def test_the_upload_preview_lists_campaign_variables_as_the_editor_names_them(staff_client):
    from campaigns.models import Campaign

    campaign = Campaign.objects.create(agency=default_agency(), name="Autumn")
    response = upload(
        staff_client,
        campaign,
        b"Phone,Name,Suburb,Property Address\n0412345678,Priya,Bondi,1 Beach Rd\n",
    )
    html = response.content.decode()
    assert response.context["summary"].variable_keys == ["suburb", "property_address"]
    assert "Campaign variables: <code>{{suburb}}</code>, <code>{{property_address}}</code>." in html
    assert "a job whose agent uses a variable this upload lacks is refused" in html


def test_a_job_whose_agent_was_edited_to_use_a_missing_variable_does_not_run(staff_client):
    job = make_job(mobiles(1), status=Job.Status.PENDING)
    job.agent.system_prompt = "Mention the price {{price}}."
    job.agent.save()

    response = staff_client.post(reverse("campaigns:job_run", args=[job.id]), follow=True)

    assert "uses the campaign variable {{price}}, which the upload" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING
