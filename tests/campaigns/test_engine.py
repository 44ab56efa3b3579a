"""The dialler against the live provider pointed at the fake server."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.models import Call
from campaigns import engine
from campaigns.models import Job, JobCall
from tests.campaigns.helpers import (
    OUTBOUND_PATH,
    assert_counters_match_rows,
    dialled_numbers,
    finish_call,
    make_job,
    mobiles,
)
from tests.factories import make_contact, make_memory

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")


def rows(job, status=None):
    queryset = job.job_calls.select_related("batch_contact", "call").order_by(
        "batch_contact__line_number"
    )
    return list(queryset.filter(status=status) if status else queryset)


def test_a_tick_dials_up_to_the_cap_and_links_each_call(live_provider_settings):
    job = make_job(mobiles(5), cap=2)

    report = engine.dispatch_tick()

    assert report.dialled == 2
    assert dialled_numbers(live_provider_settings) == mobiles(2)
    calling = rows(job, JobCall.Status.CALLING)
    assert len(calling) == 2
    assert all(row.call and row.call.elevenlabs_conversation_id for row in calling)
    assert all(row.attempts == 1 for row in calling)
    assert_counters_match_rows(job)
    assert job.pending_calls == 3 and job.calling_calls == 2


def test_a_second_tick_dials_nothing_while_the_cap_is_full(live_provider_settings):
    make_job(mobiles(5), cap=2)
    engine.dispatch_tick()
    engine.dispatch_tick()
    assert len(dialled_numbers(live_provider_settings)) == 2


def test_row_variables_reach_the_provider_as_dynamic_variables(live_provider_settings):
    contact = make_contact(phone=mobiles(1)[0], name="Priya", notes="Wants a pool")
    make_memory(contact, "Budget around $1.8M")
    make_job(mobiles(1))

    engine.dispatch_tick()

    request = live_provider_settings.last_request("POST", OUTBOUND_PATH)
    variables = request.json["conversation_initiation_client_data"]["dynamic_variables"]
    assert variables["caller_name"] == "Person 0"  # the row's name wins over the contact's
    assert variables["suburb"] == "Bondi"
    assert variables["caller_phone"] == mobiles(1)[0]
    assert "Budget around $1.8M" in variables["caller_context"]
    call = Call.objects.get()
    assert call.contact == contact and call.dynamic_variables["suburb"] == "Bondi"


def test_completed_call_completes_the_row_and_the_job(live_provider_settings):
    job = make_job(mobiles(1))
    engine.dispatch_tick()
    row = rows(job)[0]

    finish_call(row.call, Call.Status.COMPLETED)

    job.refresh_from_db()
    assert rows(job)[0].status == JobCall.Status.COMPLETED
    assert job.status == Job.Status.COMPLETED and job.finished_at is not None
    assert job.progress_percent == 100
    assert_counters_match_rows(job)


def test_a_call_ending_counts_its_jobs_rows_once(live_provider_settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = make_job(mobiles(3), cap=2)
    engine.dispatch_tick()
    first = rows(job, JobCall.Status.CALLING)[0]

    with CaptureQueriesContext(connection) as ending:
        finish_call(first.call, Call.Status.COMPLETED)

    # One GROUP BY over the job's rows per call that ends (a 100k-row job pays it on every
    # hang-up), and the counters match the rows.
    statements = [query["sql"] for query in ending.captured_queries]
    assert sum('FROM "job_calls"' in sql and "COUNT(" in sql for sql in statements) == 1
    job.refresh_from_db()
    assert job.completed_calls == 1 and job.calling_calls == 1
    assert_counters_match_rows(job)


def test_no_answer_is_retried_after_the_delay_then_fails_after_the_limit(live_provider_settings):
    job = make_job(mobiles(1), max_retries=2, retry_delay_minutes=30)
    now = timezone.now()

    for attempt in range(1, 4):
        engine.dispatch_tick(now=now)
        row = rows(job)[0]
        assert row.status == JobCall.Status.CALLING and row.attempts == attempt
        finish_call(row.call, Call.Status.NO_ANSWER)
        row.refresh_from_db()
        if attempt < 3:
            assert row.status == JobCall.Status.PENDING
            assert row.next_attempt_at > timezone.now() + timedelta(minutes=29)
            # Not yet due: a tick before the delay dials nothing.
            engine.dispatch_tick(now=row.next_attempt_at - timedelta(minutes=1))
            assert len(dialled_numbers(live_provider_settings)) == attempt
            now = row.next_attempt_at + timedelta(seconds=1)

    row.refresh_from_db()
    assert row.status == JobCall.Status.FAILED and row.error_message == "No answer"
    assert len(dialled_numbers(live_provider_settings)) == 3
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert_counters_match_rows(job)


def test_busy_line_is_retried_like_no_answer(live_provider_settings):
    job = make_job(mobiles(1), max_retries=1)
    engine.dispatch_tick()
    finish_call(rows(job)[0].call, Call.Status.BUSY)
    assert rows(job)[0].status == JobCall.Status.PENDING


def test_failed_call_fails_the_row_with_the_reason(live_provider_settings):
    job = make_job(mobiles(1))
    engine.dispatch_tick()
    finish_call(rows(job)[0].call, Call.Status.FAILED, "Twilio could not connect")
    row = rows(job)[0]
    assert row.status == JobCall.Status.FAILED and row.error_message == "Twilio could not connect"


def test_opted_out_number_is_never_dialled(live_provider_settings):
    phones = mobiles(3)
    make_contact(phone=phones[1], opted_out_at=timezone.now())
    job = make_job(phones, cap=5)

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == [phones[0], phones[2]]
    skipped = rows(job, JobCall.Status.SKIPPED)
    assert [row.batch_contact.phone for row in skipped] == [phones[1]]
    assert skipped[0].error_message == "Opted out" and skipped[0].attempts == 0
    assert_counters_match_rows(job)


def test_a_claim_steps_over_a_run_of_opted_out_numbers_to_fill_the_cap(live_provider_settings):
    phones = mobiles(14)
    for phone in phones[:12]:
        make_contact(phone=phone, opted_out_at=timezone.now())
    job = make_job(phones, cap=2)

    engine.dispatch_tick()

    assert dialled_numbers(live_provider_settings) == phones[12:]
    assert len(rows(job, JobCall.Status.SKIPPED)) == 12
    assert_counters_match_rows(job)


def test_disabled_agent_fails_the_job_with_a_reason(live_provider_settings):
    job = make_job(mobiles(3))
    job.agent.enabled = False
    job.agent.save()

    engine.dispatch_tick()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "disabled" in job.failure_reason
    assert dialled_numbers(live_provider_settings) == []
    assert job.cancelled_calls == 3
    assert_counters_match_rows(job)


def test_deleted_agent_fails_the_job(live_provider_settings):
    job = make_job(mobiles(2))
    job.agent.delete()
    engine.dispatch_tick()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "deleted" in job.failure_reason


def test_paused_job_dials_nothing_and_resumes_where_it_stopped(live_provider_settings):
    job = make_job(mobiles(3), status=Job.Status.PAUSED)
    engine.dispatch_tick()
    assert dialled_numbers(live_provider_settings) == []
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    engine.dispatch_tick()
    assert dialled_numbers(live_provider_settings) == mobiles(2)


def test_invalid_request_at_dial_fails_the_row_with_the_message(live_provider_settings):
    live_provider_settings.fail_next("POST", OUTBOUND_PATH, 422, message="to_number is invalid")
    job = make_job(mobiles(1))
    engine.dispatch_tick()
    row = rows(job)[0]
    assert row.status == JobCall.Status.FAILED
    assert "to_number is invalid" in row.error_message


def test_plan_concurrency_refusal_puts_the_row_back_with_backoff(live_provider_settings):
    live_provider_settings.fail_next("POST", OUTBOUND_PATH, 429)
    job = make_job(mobiles(1))
    engine.dispatch_tick()
    row = rows(job)[0]
    assert row.status == JobCall.Status.PENDING and row.next_attempt_at is not None
    assert row.attempts == 1


def test_provider_error_with_unknown_outcome_leaves_the_row_calling(live_provider_settings):
    live_provider_settings.fail_next("POST", OUTBOUND_PATH, 503)
    job = make_job(mobiles(1))
    engine.dispatch_tick()
    row = rows(job)[0]
    assert row.status == JobCall.Status.CALLING
    # Later it is not re-dialled blindly: it goes to review.
    engine.dispatch_tick(now=timezone.now() + engine.STALE_CLAIM + timedelta(minutes=1))
    row.refresh_from_db()
    assert row.status == JobCall.Status.NEEDS_REVIEW
    assert len(dialled_numbers(live_provider_settings)) == 1


def test_a_claim_never_dialled_goes_to_review_not_to_a_second_dial(live_provider_settings):
    job = make_job(mobiles(2), cap=1)
    claimed = engine.claim_rows(job, now=timezone.now())  # then the process "dies"
    assert len(claimed) == 1

    engine.dispatch_tick(now=timezone.now() + timedelta(minutes=10))

    first, second = rows(job)
    assert first.status == JobCall.Status.NEEDS_REVIEW
    assert second.status == JobCall.Status.CALLING
    assert dialled_numbers(live_provider_settings) == [second.batch_contact.phone]
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # a review row keeps the job open
    assert_counters_match_rows(job)


def test_missing_webhook_is_reconciled_with_the_provider(live_provider_settings):
    job = make_job(mobiles(2), cap=2)
    engine.dispatch_tick()
    answered, silent = rows(job)
    conversation = live_provider_settings.conversations[answered.call.elevenlabs_conversation_id]
    conversation["status"] = "done"
    conversation["metadata"]["phone_call"]["call_result"] = "answered"
    conversation["metadata"]["call_duration_secs"] = 61

    engine.dispatch_tick(now=timezone.now() + engine.RESULT_TIMEOUT + timedelta(minutes=1))

    answered.refresh_from_db()
    silent.refresh_from_db()
    assert answered.status == JobCall.Status.COMPLETED
    assert answered.call.status == Call.Status.COMPLETED
    assert silent.status == JobCall.Status.FAILED
    assert silent.error_message == "No result from the provider."
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED


def test_cancel_stops_claiming_and_cancels_rows_not_dialled(live_provider_settings):
    from campaigns.services import cancel_job

    job = make_job(mobiles(4), cap=1)
    engine.dispatch_tick()
    cancel_job(job)
    engine.dispatch_tick()

    assert len(dialled_numbers(live_provider_settings)) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.cancelled_calls == 3 and job.calling_calls == 1
    # The call already ringing still records its outcome.
    finish_call(rows(job, JobCall.Status.CALLING)[0].call, Call.Status.COMPLETED)
    job.refresh_from_db()
    assert job.completed_calls == 1 and job.status == Job.Status.CANCELLED
    assert_counters_match_rows(job)


def test_window_closed_dials_nothing_and_says_when_it_resumes(live_provider_settings):
    sunday = datetime(2026, 3, 15, 12, 0, tzinfo=SYDNEY)
    job = make_job(["+61292000000"], calling_window=Job.CallingWindow.AU_TELEMARKETING)

    engine.dispatch_tick(now=sunday)

    assert dialled_numbers(live_provider_settings) == []
    assert engine.resumes_at(job, now=sunday) == datetime(2026, 3, 16, 9, 0, tzinfo=SYDNEY)
    monday = datetime(2026, 3, 16, 9, 5, tzinfo=SYDNEY)
    engine.dispatch_tick(now=monday)
    assert dialled_numbers(live_provider_settings) == ["+61292000000"]


def test_a_state_holiday_keeps_that_states_numbers_waiting(live_provider_settings):
    # Canberra Day (ACT, Monday 9 March 2026): an 02 number may be in Canberra.
    canberra_day = datetime(2026, 3, 9, 12, 0, tzinfo=SYDNEY)
    job = make_job(["+61292000000"], calling_window=Job.CallingWindow.AU_TELEMARKETING)
    engine.dispatch_tick(now=canberra_day)
    assert dialled_numbers(live_provider_settings) == []
    assert engine.resumes_at(job, now=canberra_day) == datetime(2026, 3, 10, 9, 0, tzinfo=SYDNEY)


def test_window_is_per_recipient_mobiles_wait_for_every_zone(live_provider_settings):
    # 10:00 on a Wednesday in Sydney is 7:00 in Perth: the Sydney landline may be called,
    # a mobile (which could be in Perth) may not.
    wednesday_10am = datetime(2026, 3, 11, 10, 0, tzinfo=SYDNEY)
    job = make_job(
        ["+61412000001", "+61292000000"],
        cap=5,
        calling_window=Job.CallingWindow.AU_TELEMARKETING,
    )
    engine.dispatch_tick(now=wednesday_10am)
    assert dialled_numbers(live_provider_settings) == ["+61292000000"]
    assert engine.resumes_at(job, now=wednesday_10am) == datetime(2026, 3, 11, 12, 0, tzinfo=SYDNEY)


def test_counters_always_equal_the_rows_states(live_provider_settings):
    phones = mobiles(6)
    make_contact(phone=phones[5], opted_out_at=timezone.now())
    job = make_job(phones, cap=3, max_retries=0)
    outcomes = [Call.Status.COMPLETED, Call.Status.NO_ANSWER, Call.Status.FAILED]
    for _ in range(4):
        engine.dispatch_tick()
        assert_counters_match_rows(job)
        for row, outcome in zip(rows(job, JobCall.Status.CALLING), outcomes, strict=False):
            finish_call(row.call, outcome)
            assert_counters_match_rows(job)
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert job.done_calls == job.total_calls == 6


def test_dispatch_campaigns_command_runs_one_tick(live_provider_settings, capsys):
    make_job(mobiles(3), cap=2)
    call_command("dispatch_campaigns")
    assert len(dialled_numbers(live_provider_settings)) == 2
    assert "2 dialled" in capsys.readouterr().out


def test_the_worker_schedule_exists():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="campaigns.tasks.dispatch_campaigns")
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1


def test_a_dispatch_reads_the_caller_id_and_the_provider_account_once(
    live_provider_settings, django_assert_max_num_queries
):
    from phone_numbers.models import PhoneNumber
    from tests.factories import default_agency

    PhoneNumber.objects.create(
        agency=default_agency(),
        number="+61280001111",
        elevenlabs_phone_number_id="phnum_1111",
        default_outbound=True,
    )
    job = make_job(mobiles(2), cap=2)
    claimed = engine.claim_rows(job, now=timezone.now())
    shared = engine.DispatchShared()
    engine.dial_row(job, claimed[0], now=timezone.now(), shared=shared)

    # The claim read the row. The contact, the opt-out lists (one query), the call and its
    # link (in a savepoint here: 2 more), the callee's voice mapping, the conversation id;
    # the caller ID and the agency's provider account came with the dispatch's first dial.
    with django_assert_max_num_queries(8) as dial:
        assert engine.dial_row(job, claimed[1], now=timezone.now(), shared=shared)

    statements = [query["sql"] for query in dial.captured_queries]
    assert not any('FROM "phone_numbers"' in sql for sql in statements)
    assert not any('FROM "batch_contacts"' in sql for sql in statements)
    assert sum('FROM "suppressed_numbers"' in sql for sql in statements) == 1
    calls = Call.objects.filter(to_phone__in=mobiles(2))
    assert set(calls.values_list("from_phone", flat=True)) == {"+61280001111"}
    outbound = live_provider_settings.outbound_calls
    assert [c["request"]["agent_phone_number_id"] for c in outbound] == ["phnum_1111"] * 2
    assert dialled_numbers(live_provider_settings) == mobiles(2)
