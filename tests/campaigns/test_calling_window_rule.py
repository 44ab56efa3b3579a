"""“Any time” is for simulated calls only, whatever path sets a job's calling window."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.models import Job
from tests.campaigns.helpers import make_job, mobiles

pytestmark = pytest.mark.django_db


def _admin_form(job: Job, **changes) -> dict:
    data = {
        "campaign": job.campaign_id,
        "upload": job.upload_id,
        "agent": job.agent_id,
        "status": job.status,
        "calling_window": job.calling_window,
        "purpose": job.purpose,
        "concurrency_cap": job.concurrency_cap,
        "max_retries": job.max_retries,
        "retry_delay_minutes": job.retry_delay_minutes,
        "failure_reason": job.failure_reason,
    }
    return {**data, **changes}


@pytest.fixture
def live_job(settings):
    job = make_job(mobiles(2), calling_window=Job.CallingWindow.AU_TELEMARKETING)
    settings.VOQO_PROVIDER = "live"
    return job


def test_the_admin_cannot_give_a_live_job_the_sandbox_only_window(admin_client, live_job):
    url = reverse("admin:campaigns_job_change", args=[live_job.id])
    response = admin_client.post(url, _admin_form(live_job, calling_window="anytime"))

    assert response.status_code == 200
    assert "only for simulated calls" in response.content.decode()
    live_job.refresh_from_db()
    assert live_job.calling_window == Job.CallingWindow.AU_TELEMARKETING


def test_the_admin_still_saves_other_changes_to_a_live_job(admin_client, live_job):
    url = reverse("admin:campaigns_job_change", args=[live_job.id])
    response = admin_client.post(url, _admin_form(live_job, concurrency_cap=4))

    assert response.status_code == 302
    live_job.refresh_from_db()
    assert live_job.concurrency_cap == 4


def test_the_admin_may_use_any_time_while_calls_are_simulated(admin_client, settings):
    settings.VOQO_PROVIDER = "sandbox"
    job = make_job(mobiles(1), calling_window=Job.CallingWindow.AU_TELEMARKETING)
    url = reverse("admin:campaigns_job_change", args=[job.id])
    response = admin_client.post(url, _admin_form(job, calling_window="anytime"))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.calling_window == Job.CallingWindow.ANYTIME


def test_full_clean_and_save_refuse_the_sandbox_only_window_with_real_calls(live_job):
    live_job.calling_window = Job.CallingWindow.ANYTIME
    with pytest.raises(ValidationError) as refused:
        live_job.full_clean()
    assert "calling_window" in refused.value.message_dict
    with pytest.raises(ValidationError):
        live_job.save()
    live_job.refresh_from_db()
    assert live_job.calling_window == Job.CallingWindow.AU_TELEMARKETING


def test_saving_other_fields_of_a_job_is_not_blocked(live_job):
    live_job.concurrency_cap = 3
    live_job.save(update_fields=["concurrency_cap"])
    live_job.refresh_from_db()
    assert live_job.concurrency_cap == 3
