"""Arrange campaign tests in a line: a running job over a few numbers, and call endings."""

from django.utils import timezone

from calls.models import Call
from calls.signals import call_finished
from campaigns.models import BatchContact, Job, Upload
from campaigns.services import create_job
from compliance.models import WashResult
from tests.factories import make_agent, make_campaign
from voqo.calling_window import TELEMARKETING, region_for_phone

OUTBOUND_PATH = "/v1/convai/twilio/outbound-call"


def make_job(
    phones,
    *,
    agent=None,
    cap=2,
    max_retries=2,
    retry_delay_minutes=30,
    calling_window=Job.CallingWindow.ANYTIME,
    status=Job.Status.RUNNING,
    purpose=TELEMARKETING,
    washed=True,
) -> Job:
    agent = agent or make_agent(elevenlabs_agent_id="agent_test", sync_status="synced")
    campaign = make_campaign(name="Spring open homes")
    upload = Upload.objects.create(
        campaign=campaign, filename="list.csv", total_rows=len(phones), variable_keys=["suburb"]
    )
    BatchContact.objects.bulk_create(
        BatchContact(
            agency_id=campaign.agency_id,
            upload=upload,
            phone=phone,
            name=f"Person {index}",
            variables={"suburb": "Bondi"},
            line_number=index + 2,
            region=region_for_phone(phone),
        )
        for index, phone in enumerate(phones)
    )
    job = create_job(
        campaign=campaign,
        upload=upload,
        agent=agent,
        concurrency_cap=cap,
        max_retries=max_retries,
        retry_delay_minutes=retry_delay_minutes,
        purpose=purpose,
    )
    # Most engine tests dial through the fake provider (a "live" provider to Voqo) at any
    # hour: the sandbox-only window is written past the model's rule, as a test fixture.
    Job.objects.filter(pk=job.pk).update(
        status=status, started_at=timezone.now(), calling_window=calling_window
    )
    if washed:  # washed today, none registered: the register rules let every number through
        wash_numbers(phones, agency=campaign.agency)
    job.refresh_from_db()
    return job


def wash_numbers(phones, *, agency, registered=(), checked_at=None) -> None:
    """Record a register wash of `phones` (those in `registered` registered)."""
    checked_at = checked_at or timezone.now()
    for phone in phones:
        WashResult.objects.update_or_create(
            agency=agency,
            phone=phone,
            defaults={"registered": phone in registered, "dncr_checked_at": checked_at},
        )


def mobiles(count: int, start: int = 1) -> list[str]:
    return [f"+614{n:08d}" for n in range(start, start + count)]


def finish_call(call: Call, status: str, reason: str = "") -> bool:
    """What the calls app's post-call processing does: record the outcome, then signal it."""
    changed = Call.objects.filter(pk=call.pk, status=Call.Status.INITIATED).update(
        status=status, failure_reason=reason, duration=42 if status == "completed" else None
    )
    if changed:
        call.refresh_from_db()
        call_finished.send(sender=Call, call=call)
    return bool(changed)


def dialled_numbers(fake_provider) -> list[str]:
    return [
        request.json["to_number"] for request in fake_provider.requests_to("POST", OUTBOUND_PATH)
    ]


def assert_counters_match_rows(job: Job) -> None:
    job.refresh_from_db()
    counts = job.status_counts()
    assert job.pending_calls == counts["pending"]
    assert job.calling_calls == counts["calling"]
    assert job.completed_calls == counts["completed"]
    assert job.failed_calls == counts["failed"]
    assert job.needs_review_calls == counts["needs_review"]
    assert job.skipped_calls == counts["skipped"]
    assert job.cancelled_calls == counts["cancelled"]
    assert job.refused_calls == counts["refused"]
    assert job.total_calls == sum(counts.values()) == job.job_calls.count()
