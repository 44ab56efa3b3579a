"""Campaign and job pages: create, run, pause, resume, cancel, progress, report, review."""

import csv
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from campaigns import engine
from campaigns.models import Campaign, Job, JobCall
from campaigns.reports import job_report_lines
from tests.campaigns.helpers import finish_call, make_job, mobiles
from tests.factories import default_agency, make_agent, make_call

pytestmark = pytest.mark.django_db


def test_campaign_can_be_created_listed_and_edited(staff_client):
    response = staff_client.post(reverse("campaigns:create"), {"name": "Autumn", "description": ""})
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.id])
    assert "Autumn" in staff_client.get(reverse("campaigns:list")).content.decode()
    staff_client.post(reverse("campaigns:edit", args=[campaign.id]), {"name": "Winter"})
    campaign.refresh_from_db()
    assert campaign.name == "Winter"


def test_job_form_offers_only_enabled_agents_and_creates_a_pending_job(staff_client):
    job = make_job(mobiles(3), status=Job.Status.COMPLETED)
    disabled = make_agent(name="Off duty", enabled=False)
    url = reverse("campaigns:job_create", args=[job.campaign_id])

    page = staff_client.get(url).content.decode()
    assert job.agent.name in page and disabled.name not in page
    assert "concurrency limit" in page

    response = staff_client.post(
        url,
        {
            "agent": job.agent.id,
            "upload": job.upload.id,
            "concurrency_cap": 2,
            "max_retries": 2,
            "retry_delay_minutes": 30,
            "calling_window": "au_telemarketing",
        },
    )
    new_job = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("campaigns:job", args=[new_job.id])
    assert new_job.status == Job.Status.PENDING and new_job.total_calls == 3


def test_concurrency_cap_above_twenty_is_refused(staff_client):
    job = make_job(mobiles(1))
    response = staff_client.post(
        reverse("campaigns:job_create", args=[job.campaign_id]),
        {
            "agent": job.agent.id,
            "upload": job.upload.id,
            "concurrency_cap": 21,
            "max_retries": 2,
            "retry_delay_minutes": 30,
            "calling_window": "au_telemarketing",
        },
    )
    assert response.status_code == 200 and Job.objects.count() == 1


def test_run_pause_resume_and_cancel_move_the_job(staff_client, django_capture_on_commit_callbacks):
    job = make_job(mobiles(2), status=Job.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):  # run dials in the sandbox at once
        staff_client.post(reverse("campaigns:job_run", args=[job.id]))
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.started_at
    assert job.calling_calls + job.completed_calls + job.failed_calls + job.pending_calls == 2

    staff_client.post(reverse("campaigns:job_pause", args=[job.id]))
    job.refresh_from_db()
    assert job.status == Job.Status.PAUSED
    staff_client.post(reverse("campaigns:job_resume", args=[job.id]))
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING

    confirm_page = staff_client.get(reverse("campaigns:job_cancel", args=[job.id]))
    assert "Cancel this job?" in confirm_page.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # GET only asks
    staff_client.post(reverse("campaigns:job_cancel", args=[job.id]))
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED


def test_progress_partial_polls_until_the_job_finishes(staff_client):
    job = make_job(mobiles(1), status=Job.Status.PAUSED)
    url = reverse("campaigns:job_progress", args=[job.id])

    running = staff_client.get(url, headers={"HX-Request": "true"})
    assert running.status_code == 200 and 'hx-trigger="every 2s"' in running.content.decode()

    engine.finish_job(job, status=Job.Status.CANCELLED)
    finished = staff_client.get(url, headers={"HX-Request": "true"})
    assert finished.status_code == 286  # htmx stops polling
    assert "hx-trigger" not in finished.content.decode()


def test_a_cancelled_job_does_not_read_as_finished(staff_client):
    job = make_job(mobiles(4), cap=1)
    engine.dispatch_tick()
    finish_call(job.job_calls.exclude(call=None).get().call, Call.Status.COMPLETED)
    engine.finish_job(job, status=Job.Status.CANCELLED)

    html = staff_client.get(reverse("campaigns:job", args=[job.id])).content.decode()

    assert 'aria-valuenow="25"' in html
    assert "25% — 1 of 4 calls finished, 3 cancelled before dialling" in html
    assert "100%" not in html


def test_the_results_table_refreshes_while_the_job_runs(staff_client):
    job = make_job(mobiles(2), cap=1, status=Job.Status.PAUSED)
    url = reverse("campaigns:job", args=[job.id]) + "?status=completed"
    page = staff_client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'id="job-results"' in page
    assert "No calls match" in page

    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    engine.dispatch_tick()
    finish_call(job.job_calls.exclude(call=None).get().call, Call.Status.COMPLETED)
    poll = staff_client.get(url, headers={"HX-Request": "true", "HX-Target": "job-results"})

    html = poll.content.decode()
    assert html.lstrip().startswith('<div id="job-results"') and "<h1>" not in html
    assert "Completed" in html and "No calls match" not in html
    assert 'hx-trigger="every 4s"' in html  # one row is still to call
    assert "HX-Request" in poll["Vary"]

    engine.finish_job(job, status=Job.Status.CANCELLED)
    last = staff_client.get(url, headers={"HX-Request": "true", "HX-Target": "job-results"})
    assert "hx-trigger" not in last.content.decode()  # the finished job stops polling


def test_job_page_shows_results_linked_to_calls_and_review_actions(staff_client, settings):
    job = make_job(mobiles(3), cap=3)
    engine.dispatch_tick()
    first = job.job_calls.select_related("call").order_by("batch_contact__line_number").first()
    JobCall.objects.filter(pk=first.pk).update(status=JobCall.Status.NEEDS_REVIEW)

    page = staff_client.get(reverse("campaigns:job", args=[job.id])).content.decode()

    assert reverse("calls:detail", args=[first.call.id]) in page
    assert "Needs review" in page
    retry_url = reverse("campaigns:job_call_retry", args=[job.id, first.id])
    assert retry_url in page
    staff_client.post(retry_url)
    first.refresh_from_db()
    assert first.status == JobCall.Status.PENDING


def test_job_results_page_in_line_order_with_their_calls_and_constant_queries(
    staff_client, django_assert_max_num_queries
):
    numbers = mobiles(60)
    job = make_job(numbers, status=Job.Status.PAUSED)
    for n, number in enumerate(numbers):
        call = make_call(
            direction="outbound", to_phone=number, duration=60 + n, disposition="seller_lead"
        )
        job.job_calls.filter(batch_contact__phone=number).update(
            call=call, status=JobCall.Status.COMPLETED
        )
    url = reverse("campaigns:job", args=[job.id])

    with django_assert_max_num_queries(16):
        first = staff_client.get(url)
    with django_assert_max_num_queries(16):
        second = staff_client.get(url, {"page": 2})

    lines = [row.batch_contact.line_number for row in first.context["page"]]
    assert lines == list(range(2, 52))
    rows = list(second.context["page"])
    assert [row.batch_contact.line_number for row in rows] == list(range(52, 62))
    assert [row.call.to_phone for row in rows] == numbers[50:]
    html = second.content.decode()
    assert reverse("calls:detail", args=[rows[0].call.id]) in html and "1m 50s" in html
    # The outcome summary counts each of the job's calls once.
    assert "<td>Seller lead</td><td>60</td>" in first.content.decode()


def test_review_row_can_be_marked_failed(staff_client):
    job = make_job(mobiles(1))
    row = job.job_calls.get()
    JobCall.objects.filter(pk=row.pk).update(status=JobCall.Status.NEEDS_REVIEW)
    staff_client.post(reverse("campaigns:job_call_fail", args=[job.id, row.id]))
    row.refresh_from_db()
    job.refresh_from_db()
    assert row.status == JobCall.Status.FAILED
    assert job.status == Job.Status.COMPLETED


def test_job_page_says_when_calling_resumes_outside_the_window(staff_client):
    make_job(["+61292000000"], calling_window=Job.CallingWindow.AU_TELEMARKETING)
    job = Job.objects.get()
    sunday = timezone.make_aware(timezone.datetime(2026, 3, 15, 12, 0))
    assert engine.resumes_at(job, now=sunday) is not None


def test_report_csv_is_streamed_and_escapes_formulas_but_not_phones(staff_client):
    job = make_job(mobiles(2), cap=2)
    rows = list(
        job.job_calls.select_related("batch_contact").order_by("batch_contact__line_number")
    )
    contact = rows[0].batch_contact
    contact.name = '=HYPERLINK("http://evil")'
    contact.save()
    engine.dispatch_tick()
    finish_call(JobCall.objects.get(pk=rows[1].pk).call, Call.Status.FAILED, "-1 credits\tleft")

    response = staff_client.get(reverse("campaigns:job_report", args=[job.id]))

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "phone",
        "name",
        "status",
        "attempts",
        "duration",
        "error",
        "call_id",
        "called_at",
        "outcome",
        "outcome_details",
    ]
    assert table[1][0] == mobiles(1)[0]  # +61… stays a phone number
    assert table[1][1] == '\'=HYPERLINK("http://evil")'
    assert table[2][5] == "'-1 credits\tleft"
    assert table[2][6] == str(JobCall.objects.get(pk=rows[1].pk).call_id)
    called = JobCall.objects.get(pk=rows[1].pk).call.created_at
    # The agency's clock with its offset (Sydney by default), not UTC.
    assert table[2][7] == timezone.localtime(called, ZoneInfo("Australia/Sydney")).isoformat()
    assert table[2][7].endswith(("+10:00", "+11:00"))


def test_report_lines_cover_every_row():
    job = make_job(mobiles(3))
    assert len(list(job_report_lines(job))) == 1 + 1 + 3  # BOM, header, rows


def test_the_job_page_shows_each_numbers_window_and_why(staff_client):
    import time_machine

    from voqo.models import Setting

    job = make_job(
        ["+61412000001", "+61412000002", "+61892000000"],
        calling_window=Job.CallingWindow.AU_TELEMARKETING,
        status=Job.Status.PENDING,
    )
    job.upload.batch_contacts.filter(phone="+61412000002").update(region="WA")
    url = reverse("campaigns:job", args=[job.id])
    # Wednesday 14 January 2026, 9:30 in Sydney: Sydney is open, Perth is not yet.
    with time_machine.travel(
        timezone.make_aware(timezone.datetime(2026, 1, 14, 9, 30)), tick=False
    ):
        html = staff_client.get(url).content.decode()
        assert "Mobiles with no state" in html
        assert "Wed 14 Jan, 12:00 p.m. – 8:00 p.m. (AEDT)" in html
        assert "A mobile carries no location" in html and "where your contacts live" in html
        assert "Area code 08 (three time zones)" in html
        assert "Western Australia" in html and "State WA, from the upload" in html
        # Perth's 9:00–20:00, read on the agency's (Sydney) clock.
        assert "Wed 14 Jan, 12:00 p.m. – 11:00 p.m. (AEDT)" in html

        Setting.set_value("default_state", "NSW", default_agency())
        html = staff_client.get(url).content.decode()
        assert "Now, until 8:00 p.m. (AEDT)" in html
        assert "the agency&#x27;s state (NSW, Settings)" in html
