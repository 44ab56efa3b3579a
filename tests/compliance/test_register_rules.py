"""Telemarketing dials need a wash within 30 days, and consent for registered numbers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import engine
from campaigns.models import Job, JobCall
from compliance.consent import record_consent
from compliance.models import DialRefusal
from tests.campaigns.helpers import (
    assert_counters_match_rows,
    dialled_numbers,
    make_job,
    mobiles,
    wash_numbers,
)
from tests.factories import default_agency, make_agent, make_contact

pytestmark = pytest.mark.django_db


def row_of(job, phone):
    return job.job_calls.select_related("batch_contact").get(batch_contact__phone=phone)


def test_a_wash_older_than_30_days_blocks_the_dial_with_the_reason(live_provider_settings):
    fresh, stale = mobiles(2)
    job = make_job([fresh, stale], washed=False)
    wash_numbers([fresh], agency=job.agency)
    wash_numbers([stale], agency=job.agency, checked_at=timezone.now() - timedelta(days=31))

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == [fresh]
    row = row_of(job, stale)
    assert row.status == JobCall.Status.REFUSED
    assert "more than 30 days ago: wash it again" in row.error_message
    assert_counters_match_rows(job)
    assert job.refused_calls == 1
    refusal = DialRefusal.objects.get()
    assert (refusal.phone, refusal.code, refusal.job_id) == (stale, "stale_wash", job.pk)


def test_a_wash_just_inside_30_days_lets_the_dial_through(live_provider_settings):
    job = make_job(mobiles(1), washed=False)
    wash_numbers(mobiles(1), agency=job.agency, checked_at=timezone.now() - timedelta(days=29))

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == mobiles(1)


def test_a_number_never_washed_is_refused_and_the_job_page_says_why(
    live_provider_settings, staff_client
):
    job = make_job(mobiles(2), washed=False)

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == []
    page = staff_client.get(reverse("campaigns:job", args=[job.id])).content.decode()
    assert "2 × Not washed against the Do Not Call Register" in page
    assert 'data-testid="count-refused">2<' in page
    assert "Export numbers to wash" in page


def test_a_registered_number_is_called_only_with_consent_in_force(live_provider_settings):
    consenting, silent = mobiles(2)
    job = make_job([consenting, silent], washed=False)
    wash_numbers([consenting, silent], agency=job.agency, registered={consenting, silent})
    contact = make_contact(phone=consenting, name="Priya")
    record_consent(
        contact=contact,
        kind="express",
        method="form",
        obtained_at=timezone.now() - timedelta(days=10),
        obtained_by="Sam",
        evidence_note="Signed the open-home register asking for calls",
    )

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == [consenting]
    assert row_of(job, silent).error_message == (
        "On the Do Not Call Register, and no consent in force is recorded."
    )


def test_lapsed_consent_no_longer_lets_a_registered_number_be_called(live_provider_settings):
    job = make_job(mobiles(1), washed=False)
    wash_numbers(mobiles(1), agency=job.agency, registered=set(mobiles(1)))
    record_consent(
        contact=make_contact(phone=mobiles(1)[0]),
        kind="express",
        method="call",
        obtained_at=timezone.now() - timedelta(days=100),  # 3 months have passed
        obtained_by="Sam",
        evidence_note="Said yes on the phone",
    )

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == []
    assert row_of(job, mobiles(1)[0]).status == JobCall.Status.REFUSED


@pytest.mark.parametrize("purpose", ["service", "research"])
def test_service_and_research_calls_need_no_wash(live_provider_settings, purpose):
    make_job(mobiles(1), washed=False, purpose=purpose)

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == mobiles(1)


def test_refused_rows_are_checked_again_after_a_new_wash(live_provider_settings, staff_client):
    job = make_job(mobiles(1), washed=False)
    engine.dispatch_tick()
    wash_numbers(mobiles(1), agency=job.agency)

    response = staff_client.post(reverse("campaigns:job_recheck_refused", args=[job.id]))
    engine.dispatch_tick()

    assert response.status_code == 302
    assert dialled_numbers(live_provider_settings) == mobiles(1)


def test_a_single_telemarketing_call_to_an_unwashed_number_is_refused(
    live_provider_settings, staff_client, within_calling_hours
):
    agent = make_agent(elevenlabs_agent_id="agent_sales", sync_status="synced")

    response = staff_client.post(
        reverse("contacts:call_number"),
        {"agent": agent.id, "phone": "0412 777 666", "purpose": "telemarketing"},
        follow=True,
    )

    assert "Not washed against the Do Not Call Register" in response.content.decode()
    assert not live_provider_settings.requests_to("POST", "/v1/convai/twilio/outbound-call")
    assert DialRefusal.objects.get().job_id is None


def test_a_single_service_call_is_placed_without_a_wash(
    live_provider_settings, staff_client, within_calling_hours
):
    agent = make_agent(elevenlabs_agent_id="agent_sales", sync_status="synced")

    staff_client.post(
        reverse("contacts:call_number"),
        {"agent": agent.id, "phone": "0412 777 666", "purpose": "service"},
    )

    [request] = live_provider_settings.requests_to("POST", "/v1/convai/twilio/outbound-call")
    assert request.json["to_number"] == "+61412777666"


def test_a_job_defaults_to_telemarketing(staff_client):
    existing = make_job(mobiles(1), status=Job.Status.COMPLETED)
    agent = make_agent()
    response = staff_client.post(
        reverse("campaigns:job_create", args=[existing.campaign_id]),
        {
            "agent": agent.id,
            "upload": existing.upload_id,
            "concurrency_cap": 2,
            "max_retries": 2,
            "retry_delay_minutes": 30,
            "calling_window": "au_telemarketing",
        },
    )

    assert response.status_code == 302
    assert Job.objects.exclude(pk=existing.pk).get().purpose == "telemarketing"
    assert default_agency() == existing.agency
