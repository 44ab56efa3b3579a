"""Campaigns belong to one agency: other agencies never see or touch them, roles decide who
sets them up and who runs them, and a suspended agency's jobs wait."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from agents.models import Agent
from campaigns import engine
from campaigns.models import BatchContact, Campaign, Job, JobCall
from campaigns.services import JobRefused, create_job
from tests.campaigns.helpers import dialled_numbers, make_job, mobiles
from tests.factories import default_agency, make_agency, make_agent, make_campaign, make_staff_user

pytestmark = pytest.mark.django_db

JOB_FORM = {
    "concurrency_cap": 2,
    "max_retries": 2,
    "retry_delay_minutes": 30,
    "calling_window": "au_telemarketing",
}


def member_client(role: str, agency=None) -> Client:
    """A client signed in as a member of `agency` (default_agency()) with `role`."""
    agency = agency or default_agency()
    client = Client()
    client.force_login(make_staff_user(f"{role}-{agency.slug}", agency=agency, role=role))
    return client


def review_row(job: Job) -> JobCall:
    row = job.job_calls.first()
    JobCall.objects.filter(pk=row.pk).update(status=JobCall.Status.NEEDS_REVIEW)
    return row


def urls_of(job: Job, row: JobCall) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every campaigns URL with `job`'s ids: name → (url, methods it answers)."""
    campaign, upload = job.campaign_id, job.upload_id
    both, post = ("get", "post"), ("post",)
    return {
        "detail": (reverse("campaigns:detail", args=[campaign]), both),
        "edit": (reverse("campaigns:edit", args=[campaign]), both),
        "upload": (reverse("campaigns:upload", args=[campaign]), both),
        "upload_confirm": (reverse("campaigns:upload_confirm", args=[campaign]), post),
        "upload_detail": (reverse("campaigns:upload_detail", args=[campaign, upload]), both),
        "job_create": (reverse("campaigns:job_create", args=[campaign]), both),
        "job": (reverse("campaigns:job", args=[job.id]), both),
        "job_progress": (reverse("campaigns:job_progress", args=[job.id]), both),
        "job_run": (reverse("campaigns:job_run", args=[job.id]), post),
        "job_pause": (reverse("campaigns:job_pause", args=[job.id]), post),
        "job_resume": (reverse("campaigns:job_resume", args=[job.id]), post),
        "job_cancel": (reverse("campaigns:job_cancel", args=[job.id]), both),
        "job_report": (reverse("campaigns:job_report", args=[job.id]), both),
        "job_call_retry": (reverse("campaigns:job_call_retry", args=[job.id, row.id]), post),
        "job_call_fail": (reverse("campaigns:job_call_fail", args=[job.id, row.id]), post),
    }


# -- another agency's ids ---------------------------------------------------------------


def test_every_campaigns_url_answers_404_to_another_agencys_owner():
    job = make_job(mobiles(2))
    row = review_row(job)
    outsider = member_client(Role.OWNER, agency=make_agency())

    for name, (url, methods) in urls_of(job, row).items():
        for method in methods:
            response = getattr(outsider, method)(url, HTTP_HX_REQUEST="true")
            assert response.status_code == 404, (name, method, response.status_code)

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert JobCall.objects.get(pk=row.pk).status == JobCall.Status.NEEDS_REVIEW


def test_the_campaign_list_shows_only_the_current_agencys_campaigns():
    make_campaign(name="Harbour spring")
    make_campaign(name="Inland autumn", agency=make_agency(name="Inland"))

    page = member_client(Role.READ_ONLY).get(reverse("campaigns:list")).content.decode()

    assert "Harbour spring" in page and "Inland autumn" not in page


def test_the_campaign_list_costs_the_same_queries_for_many_campaigns(
    django_assert_max_num_queries,
):
    client = member_client(Role.OWNER)
    for n in range(3):
        make_campaign(name=f"Few {n}")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("campaigns:list"))
    for n in range(20):
        make_campaign(name=f"Many {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("campaigns:list"))


def test_a_new_campaign_belongs_to_the_current_agency():
    inland = make_agency(name="Inland")
    member_client(Role.MANAGER, agency=inland).post(
        reverse("campaigns:create"), {"name": "Autumn", "description": ""}
    )

    assert Campaign.objects.get(name="Autumn").agency == inland


def test_a_job_cannot_be_made_from_another_agencys_upload():
    theirs = make_job(mobiles(2), status=Job.Status.COMPLETED)
    inland = make_agency(name="Inland")
    ours = make_campaign(name="Inland spring", agency=inland)
    client = member_client(Role.MANAGER, agency=inland)

    response = client.post(
        reverse("campaigns:job_create", args=[ours.id]),
        {**JOB_FORM, "agent": theirs.agent_id, "upload": theirs.upload_id},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "upload" in form.errors
    assert Job.objects.count() == 1


AGENTS_HAVE_AGENCIES = any(field.name == "agency" for field in Agent._meta.concrete_fields)


@pytest.mark.skipif(not AGENTS_HAVE_AGENCIES, reason="agents are install-wide in this schema")
def test_a_job_cannot_use_another_agencys_agent():
    job = make_job(mobiles(1), status=Job.Status.COMPLETED)
    theirs = make_agent(name="Inland Isla", agency=make_agency(name="Inland"))
    client = member_client(Role.MANAGER)
    url = reverse("campaigns:job_create", args=[job.campaign_id])

    assert "Inland Isla" not in client.get(url).content.decode()
    response = client.post(url, {**JOB_FORM, "agent": theirs.id, "upload": job.upload_id})

    assert "agent" in response.context["form"].errors
    with pytest.raises(JobRefused, match="belongs to another agency"):
        create_job(campaign=job.campaign, upload=job.upload, agent=theirs)
    assert Job.objects.count() == 1


def test_a_job_is_refused_an_upload_of_another_campaign():
    job = make_job(mobiles(1), status=Job.Status.COMPLETED)
    other = make_campaign(name="Autumn")

    with pytest.raises(JobRefused, match="belongs to another campaign"):
        create_job(campaign=other, upload=job.upload, agent=job.agent)


def test_imported_rows_and_job_calls_carry_the_campaigns_agency():
    job = make_job(mobiles(3))

    assert set(BatchContact.objects.values_list("agency_id", flat=True)) == {job.agency_id}
    assert set(JobCall.objects.values_list("agency_id", flat=True)) == {job.agency_id}
    assert job.agency_id == job.campaign.agency_id == job.upload.agency_id


# -- roles ------------------------------------------------------------------------------

SETUP_VIEWS = ["edit", "upload", "upload_confirm", "job_create"]
RUNNING_VIEWS = [
    "job_run",
    "job_pause",
    "job_resume",
    "job_cancel",
    "job_call_retry",
    "job_call_fail",
]


def test_a_read_only_member_is_refused_every_change():
    job = make_job(mobiles(2))
    row = review_row(job)
    urls = urls_of(job, row)
    client = member_client(Role.READ_ONLY)

    assert client.post(reverse("campaigns:create"), {"name": "Nope"}).status_code == 403
    for name in SETUP_VIEWS + RUNNING_VIEWS:
        assert client.post(urls[name][0]).status_code == 403, name

    assert not Campaign.objects.filter(name="Nope").exists()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert JobCall.objects.get(pk=row.pk).status == JobCall.Status.NEEDS_REVIEW


def test_a_read_only_member_still_reads_every_page_and_the_report():
    job = make_job(mobiles(2))
    urls = urls_of(job, review_row(job))
    client = member_client(Role.READ_ONLY)

    for name in ["detail", "upload_detail", "job", "job_report"]:
        assert client.get(urls[name][0]).status_code == 200, name
    assert client.get(reverse("campaigns:list")).status_code == 200


def test_staff_run_jobs_but_do_not_set_campaigns_up():
    job = make_job(mobiles(2))
    urls = urls_of(job, review_row(job))
    client = member_client(Role.STAFF)

    assert client.get(reverse("campaigns:create")).status_code == 403
    for name in SETUP_VIEWS:
        assert client.post(urls[name][0]).status_code == 403, name

    assert client.post(urls["job_pause"][0]).status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.PAUSED


def test_a_manager_sets_campaigns_up():
    job = make_job(mobiles(2), status=Job.Status.COMPLETED)
    client = member_client(Role.MANAGER)

    response = client.post(
        reverse("campaigns:job_create", args=[job.campaign_id]),
        {**JOB_FORM, "agent": job.agent_id, "upload": job.upload_id},
    )

    assert response.status_code == 302
    assert Job.objects.count() == 2


def test_buttons_a_role_cannot_use_are_hidden():
    job = make_job(mobiles(2), status=Job.Status.PENDING)
    read_only = member_client(Role.READ_ONLY)
    staff = member_client(Role.STAFF)
    job_url = reverse("campaigns:job", args=[job.id])
    run_url = reverse("campaigns:job_run", args=[job.id])
    campaign_url = reverse("campaigns:detail", args=[job.campaign_id])
    upload_url = reverse("campaigns:upload", args=[job.campaign_id])

    assert run_url not in read_only.get(job_url).content.decode()
    assert run_url in staff.get(job_url).content.decode()
    assert upload_url not in staff.get(campaign_url).content.decode()
    assert reverse("campaigns:create") not in staff.get(reverse("campaigns:list")).content.decode()
    manager_page = member_client(Role.MANAGER).get(campaign_url).content.decode()
    assert upload_url in manager_page


# -- a suspended agency -----------------------------------------------------------------


def test_a_suspended_agencys_job_waits_and_its_page_says_why(live_provider_settings):
    job = make_job(mobiles(3), cap=2)
    agency = job.agency
    agency.active = False
    agency.suspended_reason = "The invoice for March is unpaid."
    agency.save()

    report = engine.dispatch_tick()

    assert report.dialled == 0 and dialled_numbers(live_provider_settings) == []
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.pending_calls == 3
    page = member_client(Role.OWNER).get(reverse("campaigns:job", args=[job.id]))
    text = page.content.decode()
    assert "is suspended, so no calls go out" in text
    assert "The invoice for March is unpaid." in text


def test_a_reactivated_agencys_job_dials_where_it_waited(live_provider_settings):
    job = make_job(mobiles(3), cap=2)
    agency = job.agency
    agency.active = False
    agency.save()
    engine.dispatch_tick()

    agency.active = True
    agency.save()
    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == mobiles(2)


def test_a_claim_after_the_agency_was_suspended_claims_nothing(live_provider_settings):
    job = make_job(mobiles(3), cap=2)
    type(job.agency).objects.filter(pk=job.agency_id).update(active=False)

    # The dispatcher read the job while the agency was still active; the claim checks again.
    assert engine.claim_rows(job, now=job.started_at) == []
    assert job.job_calls.filter(status=JobCall.Status.PENDING).count() == 3


# -- admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["campaign", "upload", "batchcontact", "job", "jobcall"])
def test_the_admin_filters_every_campaigns_list_by_agency(client, admin_user, model):
    make_job(mobiles(1))
    inland = make_agency(name="Inland")
    client.force_login(admin_user)
    url = reverse(f"admin:campaigns_{model}_changelist")

    everything = client.get(url)
    filtered = client.get(url, {"agency__id__exact": inland.pk})

    assert everything.status_code == filtered.status_code == 200
    assert "By agency" in everything.content.decode()
    assert everything.context["cl"].result_count == 1
    assert filtered.context["cl"].result_count == 0
