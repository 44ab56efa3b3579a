"""The campaign dialler: claims job calls, dials them, applies outcomes, recovers.

The claim protocol (PITFALLS.md, "Campaign dialling"): the outbound-call API has no
idempotency key, so a row is dialled at most once per claim —

1. In one short transaction, holding the job row (select_for_update on PostgreSQL; the
   IMMEDIATE write lock on SQLite, where select_for_update is a no-op) of a running job
   whose agency is active (a suspended agency's rows wait), count the rows in
   `calling`, and move up to `cap − in-flight` due rows `pending → calling` with
   conditional UPDATEs (`filter(pk=…, status="pending").update(…) == 1`). Commit.
2. Outside any transaction: create the Call record, link it to the row, then ask the
   provider to dial. The conversation id is stored on the Call when the provider answers.
3. The outcome arrives with `calls.signals.call_finished` and moves the row
   `calling → completed | failed`, or back to `pending` (with `next_attempt_at`) for a
   no-answer/busy retry — again through conditional UPDATEs.

A row left in `calling` without a conversation id for STALE_CLAIM (the process died
between claim and answer, or the provider's answer was lost) is never re-dialled
automatically: it moves to `needs_review`, shown on the job page with "retry" and "mark
failed". A row with a conversation id but no result after RESULT_TIMEOUT is reconciled with
`get_conversation`, else failed with "No result from the provider".

Counters are recomputed from one GROUP BY after each batch of changes (Job.refresh_counters).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from calls import applying
from calls.models import Call
from calls.outbound import (
    CallerId,
    OutboundCallFailed,
    OutboundCallRefused,
    dial_outbound_call,
    prepare_outbound_call,
    resolve_caller_id,
)
from campaigns.models import Job, JobCall
from compliance.rules import identification_refusal, record_refusals, register_refusals
from contacts.models import Contact
from contacts.opt_out import is_suppressed, suppressed_numbers
from contacts.personalisation import caller_variables
from voqo import calling_window as window
from voqo.dynamic_variables import fill_variables
from voqo.events import announce
from voqo.providers import (
    PostCallEvent,
    Provider,
    ProviderAuthError,
    ProviderError,
    ProviderNotFound,
    ProviderRetryableError,
    get_provider,
)

logger = logging.getLogger(__name__)

# Longer than the provider's request timeout (15 s): a claim this old without a conversation
# id belongs to a dialler that died or lost the provider's answer.
STALE_CLAIM = timedelta(minutes=5)
# Post-call webhooks normally arrive within a minute or two of hang-up.
RESULT_TIMEOUT = timedelta(minutes=30)
# A conversation the provider still calls "in progress" is given this long in total.
IN_PROGRESS_LIMIT = timedelta(hours=2)
# After a transient provider refusal (429 plan concurrency, 5xx before dialling).
PROVIDER_RETRY_DELAY = timedelta(minutes=2)

ACTIVE_JOB_STATUSES = (Job.Status.RUNNING, Job.Status.PAUSED)
NEEDS_REVIEW_MESSAGE = (
    "Voqo stopped before it learned whether this call was placed. Check the calls list for "
    "this number, then retry the row or mark it failed."
)
NO_RESULT_MESSAGE = "No result from the provider."
OPTED_OUT_MESSAGE = "Opted out"
RETRY_LABELS = {Call.Status.NO_ANSWER: "No answer", Call.Status.BUSY: "Busy"}


@dataclass
class TickReport:
    jobs: int = 0
    claimed: int = 0
    dialled: int = 0
    needs_review: int = 0

    def add(self, other: TickReport) -> None:
        self.jobs += other.jobs
        self.claimed += other.claimed
        self.dialled += other.dialled
        self.needs_review += other.needs_review

    @property
    def had_work(self) -> bool:
        return bool(self.claimed or self.dialled)


def dispatch_tick(now: datetime | None = None) -> TickReport:
    """One pass over every job that is running, paused, or still has calls in flight."""
    now = now or timezone.now()
    report = TickReport()
    job_ids = Job.objects.filter(
        Q(status__in=ACTIVE_JOB_STATUSES) | Q(calling_calls__gt=0)
    ).values_list("pk", flat=True)
    for job_id in list(job_ids):
        report.add(dispatch_job(job_id, now=now))
    return report


def dispatch_job(job_id, now: datetime | None = None) -> TickReport:
    """Recover stale rows, then claim and dial what the cap and the window allow."""
    now = now or timezone.now()
    report = TickReport(jobs=1)
    job = Job.objects.select_related("agent", "agency", "caller_number").filter(pk=job_id).first()
    if job is None:
        return report
    report.needs_review = reconcile_job(job, now=now)
    # A suspended agency's rows wait (the job page says why) and dial once it is active again.
    if job.status == Job.Status.RUNNING and job.agency.active:
        refusal = _agent_refusal(job)
        if refusal:
            finish_job(job, status=Job.Status.FAILED, reason=refusal)
            return report
        report.claimed, report.dialled = dial_while_slots_free(job, now=now)
    settle(job, now=now)
    return report


# How often, at most, a dispatch waiting on dials looks for slots freed by calls that ended:
# every FIRST_REFILL_LOOK for QUICK_LOOKS looks after an answer, then twice as long each
# time nothing has changed, up to REFILL_INTERVAL (a call answered moments ago may end, in a
# test or a failed call, within a few milliseconds; the slot then waits at most one look).
FIRST_REFILL_LOOK = 0.001
QUICK_LOOKS = 3
REFILL_INTERVAL = 0.005


class ClaimedRow(NamedTuple):
    """A job call moved to `calling`, with what its dial needs of its batch row (read by
    the claim, so the dial does not read the row again)."""

    pk: Any
    phone: str
    name: str
    variables: dict


class DispatchShared:
    """What every dial of one dispatch shares, resolved by the first dial that needs it:
    the number calls go out from and the agency's provider. A number released or an
    account changed meanwhile applies from the next dispatch (a dispatch lasts about as
    long as its dials take to be answered). Threads may race to fill it; both answers are
    the same."""

    def __init__(self) -> None:
        self.caller: CallerId | None = None
        self.provider: Provider | None = None

    def caller_for(self, job: Job) -> CallerId:
        if self.caller is None:
            self.caller = resolve_caller_id(job.agency, job.caller_number)
        return self.caller

    def provider_for(self, agency) -> Provider:
        if self.provider is None:
            self.provider = get_provider(agency)
        return self.provider


def dial_while_slots_free(job: Job, *, now: datetime) -> tuple[int, int]:
    """Claim and dial rows, keeping up to the cap of dials in flight; (claimed, accepted).

    The provider takes ~0.3 s to answer an outbound-call request. Dials run in threads (≤ the
    cap), and whenever one is answered the dispatcher claims again, so a slot freed by a call
    that ended is refilled at once instead of after the slowest dial of a batch. It returns
    when nothing is in flight and nothing more can be claimed. Each thread has its own
    database connection, which only sees committed rows: inside an open transaction (a
    test's, say) it claims once and dials one by one on this connection instead.

    Before each claim it looks (a read, no write lock) whether the job has a free slot: a
    dispatch that finds every slot taken by calls still talking leaves without locking, so
    the writers that end those calls are not kept waiting. The claim counts again under the
    job lock; the look only saves a claim that would find nothing.
    """
    shared = DispatchShared()
    if connection.in_atomic_block:
        claimed = claim_rows(job, now=now)
        return len(claimed), sum(dial_row(job, row, now=now, shared=shared) for row in claimed)

    requests: queue.SimpleQueue = queue.SimpleQueue()
    answers: queue.SimpleQueue = queue.SimpleQueue()

    def dialler() -> None:
        # One connection per thread for all its dials, closed when the dispatch ends.
        try:
            while (row := requests.get()) is not None:
                try:
                    answers.put(dial_row(job, row, now=now, shared=shared))
                except Exception:  # the row stays `calling`; reconciliation takes it over
                    logger.exception("dialling job call %s failed unexpectedly", row.pk)
                    answers.put(False)
        finally:
            connection.close()

    threads: list[threading.Thread] = []
    claimed_count = accepted = in_flight = 0
    wait, looks = FIRST_REFILL_LOOK, 0
    try:
        while True:
            if in_flight < job.concurrency_cap and _has_free_slot(job):
                claimed = claim_rows(job, now=now if not in_flight else timezone.now())
                while len(threads) < min(job.concurrency_cap, in_flight + len(claimed)):
                    threads.append(threading.Thread(target=dialler, daemon=True))
                    threads[-1].start()
                for claimed_row in claimed:
                    requests.put(claimed_row)
                in_flight += len(claimed)
                claimed_count += len(claimed)
            if not in_flight:
                return claimed_count, accepted
            try:
                accepted += answers.get(timeout=wait)
                in_flight -= 1
                wait, looks = FIRST_REFILL_LOOK, 0  # an answered call may end at any moment
            except queue.Empty:
                looks += 1
                if looks >= QUICK_LOOKS:
                    wait = min(wait * 2, REFILL_INTERVAL)
    finally:
        for _ in threads:
            requests.put(None)
        for thread in threads:
            thread.join()


def _has_free_slot(job: Job) -> bool:
    calling = JobCall.objects.filter(job=job, status=JobCall.Status.CALLING).count()
    return calling < job.concurrency_cap


def _agent_refusal(job: Job) -> str:
    agent = job.agent
    if agent is None:
        return "The agent was deleted, so the job cannot continue."
    if not agent.enabled:
        return f"{agent.name} was disabled, so the job cannot continue."
    if not agent.elevenlabs_agent_id:
        return f"{agent.name} is not synced to ElevenLabs, so it cannot place calls."
    if job.purpose == window.TELEMARKETING:
        refusal = identification_refusal(
            agency=job.agency, greeting=agent.greeting_message, caller_number=job.caller_number
        )
        if refusal:
            return f"{agent.name}: {refusal.reason}"
    return ""


def due_rows(job: Job, now: datetime):
    """Pending rows whose retry time has come and whose calling window is open at `now`."""
    rows = JobCall.objects.filter(job=job, status=JobCall.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if job.calling_window == Job.CallingWindow.AU_TELEMARKETING:
        open_keys = window.open_regions(
            now, window.agency_default_state(job.agency), purpose=job.purpose
        )
        rows = rows.filter(batch_contact__region__in=open_keys)
    return rows


# Due rows read beyond the free slots, to step over opted-out or refused ones in one read.
CANDIDATE_MARGIN = 4


def claim_rows(job: Job, *, now: datetime) -> list[ClaimedRow]:
    """Move up to `cap − in-flight` due rows to `calling` and commit; return them.

    Opted-out numbers among the candidates are skipped (never dialled) on the way, and a
    telemarketing job's numbers the Do Not Call Register rules forbid are refused (with the
    reason on the row, and kept for the compliance page).
    """
    claimed: list[ClaimedRow] = []
    with transaction.atomic():
        # Serialises claimers of one job: a row lock on PostgreSQL, the database write lock
        # on SQLite (transaction_mode IMMEDIATE), so the in-flight count cannot go stale.
        # An agency suspended since the dispatch began claims nothing more.
        claimable = Job.objects.select_for_update(of=("self",)).filter(
            pk=job.pk, status=Job.Status.RUNNING, agency__active=True
        )
        if not claimable:
            return claimed
        in_flight = JobCall.objects.filter(job=job, status=JobCall.Status.CALLING).count()
        slots = job.concurrency_cap - in_flight
        if slots <= 0:
            return claimed
        # Candidates are read a few beyond the free slots at a time (a refill usually wants
        # one row), more while opted-out or refused rows take the places; at most
        # `slots * 4 + 20` in all, so one claim's work stays bounded.
        budget = slots * 4 + 20
        refused = {}
        while len(claimed) < slots and budget > 0:
            wanted = min(slots - len(claimed) + CANDIDATE_MARGIN, budget)
            candidates = [
                ClaimedRow(*values)
                for values in due_rows(job, now)
                .order_by("batch_contact__line_number", "pk")
                .values_list(
                    "pk", "batch_contact__phone", "batch_contact__name", "batch_contact__variables"
                )[:wanted]
            ]
            budget -= wanted
            opted_out = suppressed_numbers((row.phone for row in candidates), agency=job.agency)
            forbidden = {}
            if job.purpose == window.TELEMARKETING:
                forbidden = register_refusals(
                    agency=job.agency, phones=(row.phone for row in candidates), now=now
                )
            for candidate in candidates:
                pk, phone = candidate.pk, candidate.phone
                if len(claimed) >= slots:
                    break
                if phone in opted_out:
                    JobCall.objects.filter(pk=pk, status=JobCall.Status.PENDING).update(
                        status=JobCall.Status.SKIPPED, error_message=OPTED_OUT_MESSAGE
                    )
                    continue
                if phone in forbidden:
                    if JobCall.objects.filter(pk=pk, status=JobCall.Status.PENDING).update(
                        status=JobCall.Status.REFUSED, error_message=forbidden[phone].reason
                    ):
                        refused[phone] = forbidden[phone]
                    continue
                won = JobCall.objects.filter(pk=pk, status=JobCall.Status.PENDING).update(
                    status=JobCall.Status.CALLING,
                    claimed_at=now,
                    attempts=F("attempts") + 1,
                    next_attempt_at=None,
                    error_message="",
                )
                if won == 1:
                    claimed.append(candidate)
            if len(candidates) < wanted:
                break  # no more due rows
        record_refusals(
            agency=job.agency, refusals=refused, purpose=job.purpose, now=now, job_id=job.pk
        )
    return claimed


def row_variables(*, phone: str, name: str, variables: dict, contact, agent_name: str, now, agency):
    """The dynamic variables for a campaign call of `agency`: the caller set plus the row's
    columns."""
    values = caller_variables(
        phone=phone, contact=contact, agent_name=agent_name, now=now, agency=agency
    )
    if name:
        values["caller_name"] = name
    values.update({key: str(value) for key, value in variables.items() if key != "caller_phone"})
    return values


def _prompt_override(job: Job, variables: dict) -> dict[str, str]:
    """The job's saved prompt (and its greeting, when it has one) for one call, filled with
    that call's variables as ElevenLabs fills the agent's own; {} for the agent's own."""
    if not job.prompt_override:
        return {}
    override = {"prompt": fill_variables(job.prompt_override, variables)}
    if job.greeting_override.strip():
        override["first_message"] = fill_variables(job.greeting_override, variables)
    return override


def dial_row(
    job: Job, row: ClaimedRow, *, now: datetime, shared: DispatchShared | None = None
) -> bool:
    """Dial one claimed row (no transaction is open here). True when the provider accepted.
    `shared`: what the dispatch's other dials resolved already."""
    shared = shared or DispatchShared()
    job_call_id = row.pk
    contact = Contact.objects.filter(phone=row.phone, agency_id=job.agency_id).first()
    if is_suppressed(row.phone, agency=job.agency):  # opted out since the claim
        _move(job_call_id, JobCall.Status.CALLING, JobCall.Status.SKIPPED, OPTED_OUT_MESSAGE)
        return False
    variables = row_variables(
        phone=row.phone,
        name=row.name,
        variables=row.variables,
        contact=contact,
        agent_name=job.agent.name,
        now=now,
        agency=job.agency,
    )
    try:
        # The caller ID once per dispatch, for the call records and the provider's number id.
        caller = shared.caller_for(job)
        # One write transaction for the call record and its link to the row.
        with transaction.atomic():
            call = prepare_outbound_call(
                agent=job.agent,
                agency=job.agency,
                to_phone=row.phone,
                dynamic_variables=variables,
                contact=contact,
                caller_number=job.caller_number,
                purpose=job.purpose,
                caller=caller,
                opt_out_checked=True,  # just above
            )
            JobCall.objects.filter(pk=job_call_id).update(call=call)
    except OutboundCallRefused as refusal:
        # Nothing was dialled: give the attempt back, then the job fails with the reason.
        JobCall.objects.filter(pk=job_call_id, status=JobCall.Status.CALLING).update(
            status=JobCall.Status.PENDING, attempts=F("attempts") - 1, claimed_at=None
        )
        finish_job(job, status=Job.Status.FAILED, reason=str(refusal))
        return False
    try:
        dial_outbound_call(
            call,
            caller=caller,
            provider_for=shared.provider_for,
            **_prompt_override(job, call.dynamic_variables),
        )
    except OutboundCallFailed as failure:
        _dial_failed(job, job_call_id, failure.error, now=now)
        return False
    except Exception:
        # Unknown state: the row stays `calling` and reconciliation takes it from there.
        logger.exception("dialling job call %s failed unexpectedly", job_call_id)
        return False
    return True


def _dial_failed(job: Job, job_call_id, error: ProviderError, *, now: datetime) -> None:
    if error.outcome_unknown:
        # The provider may be ringing the number: leave the row `calling` for reconciliation.
        JobCall.objects.filter(pk=job_call_id, status=JobCall.Status.CALLING).update(
            error_message=f"The provider did not confirm the call ({error}); checking."
        )
        return
    if isinstance(error, ProviderRetryableError):
        _retry_or_fail(
            job, job_call_id, now=now, delay=PROVIDER_RETRY_DELAY, label=f"Provider busy: {error}"
        )
        return
    _move(job_call_id, JobCall.Status.CALLING, JobCall.Status.FAILED, str(error))
    if isinstance(error, ProviderAuthError | ProviderNotFound):
        # Credentials or the agent itself are wrong: every other row would fail the same way.
        finish_job(job, status=Job.Status.FAILED, reason=f"The provider refused: {error}")


def _move(job_call_id, from_status: str, to_status: str, message: str = "") -> bool:
    return (
        JobCall.objects.filter(pk=job_call_id, status=from_status).update(
            status=to_status, error_message=message
        )
        == 1
    )


def _retry_or_fail(
    job: Job,
    job_call_id,
    *,
    now: datetime,
    delay: timedelta,
    label: str,
    from_statuses=(JobCall.Status.CALLING,),
) -> None:
    """Back to `pending` after `delay` while retries remain, else `failed` with `label`."""
    rows = JobCall.objects.filter(pk=job_call_id, status__in=from_statuses)
    # attempts counts dials made; with max_retries=2 a row is dialled at most 3 times.
    retry = rows.filter(attempts__lte=job.max_retries).update(
        status=JobCall.Status.PENDING,
        next_attempt_at=now + delay,
        claimed_at=None,
        error_message=f"{label} — will retry.",
    )
    if not retry:
        rows.update(status=JobCall.Status.FAILED, error_message=label)


def apply_call_outcome(call: Call, *, now: datetime | None = None) -> list[Job]:
    """Move the job call dialled as `call` to its outcome; return the jobs touched."""
    now = now or timezone.now()
    jobs = []
    rows = JobCall.objects.filter(
        call=call, status__in=(JobCall.Status.CALLING, JobCall.Status.NEEDS_REVIEW)
    ).select_related("job")
    for job_call in rows:
        _apply_status(job_call, call.status, call.failure_reason, now=now)
        jobs.append(job_call.job)
    return jobs


def _apply_status(job_call: JobCall, status: str, reason: str, *, now: datetime) -> None:
    job = job_call.job
    from_statuses = (JobCall.Status.CALLING, JobCall.Status.NEEDS_REVIEW)
    if status == Call.Status.COMPLETED:
        JobCall.objects.filter(pk=job_call.pk, status__in=from_statuses).update(
            status=JobCall.Status.COMPLETED, error_message=""
        )
    elif status in RETRY_LABELS:
        _retry_or_fail(
            job,
            job_call.pk,
            now=now,
            delay=timedelta(minutes=job.retry_delay_minutes),
            label=RETRY_LABELS[status],
            from_statuses=from_statuses,
        )
    elif status == Call.Status.FAILED:
        JobCall.objects.filter(pk=job_call.pk, status__in=from_statuses).update(
            status=JobCall.Status.FAILED, error_message=reason or "The call failed."
        )


def on_call_finished(sender, call: Call, **kwargs: Any) -> None:
    """`calls.signals.call_finished` receiver: apply the outcome, then fill the freed slot."""
    from campaigns.queue import enqueue_dispatch

    # The row's outcome and the job's counters change together (one write transaction).
    with transaction.atomic():
        for job in apply_call_outcome(call):
            settle(job)
            if job.status == Job.Status.RUNNING:
                transaction.on_commit(lambda job_id=job.pk: enqueue_dispatch(job_id))


# -- recovery ----------------------------------------------------------------------------


def reconcile_job(job: Job, *, now: datetime) -> int:
    """Resolve rows stuck in `calling`; return how many were moved to needs review."""
    moved = 0
    stale = JobCall.objects.filter(
        job=job, status=JobCall.Status.CALLING, claimed_at__lt=now - STALE_CLAIM
    ).select_related("call")
    for job_call in stale:
        call = job_call.call
        if call is not None and call.status != Call.Status.INITIATED:
            # The call ended (or was refused) but the row missed it, e.g. a crash in between.
            _apply_status(job_call, call.status, call.failure_reason, now=now)
        elif call is None or not call.elevenlabs_conversation_id:
            if _move(
                job_call.pk,
                JobCall.Status.CALLING,
                JobCall.Status.NEEDS_REVIEW,
                NEEDS_REVIEW_MESSAGE,
            ):
                moved += 1
        elif job_call.claimed_at < now - RESULT_TIMEOUT:
            _reconcile_with_provider(job_call, call, now=now)
    return moved


def _reconcile_with_provider(job_call: JobCall, call: Call, *, now: datetime) -> None:
    """The webhook never came: hand the provider's conversation to the calls pipeline (so
    the SMS, memories and `call_finished` follow as for a webhook), else give up visibly."""
    try:
        conversation = get_provider(call.agency).get_conversation(call.elevenlabs_conversation_id)
    except ProviderNotFound:
        conversation = None
    except ProviderError as error:
        logger.warning("reconciling %s: %r", call.elevenlabs_conversation_id, error)
        if job_call.claimed_at >= now - IN_PROGRESS_LIMIT:
            return  # try again next tick
        conversation = None
    if conversation is not None and conversation.is_over:
        with transaction.atomic():
            call = applying.apply_event(conversation, agency=call.agency) or call
    elif conversation is not None and conversation.in_progress:
        if job_call.claimed_at >= now - IN_PROGRESS_LIMIT:
            return  # still talking
    if conversation is None or not conversation.is_over:
        with transaction.atomic():
            call = applying.record_call_without_result(
                PostCallEvent(event_type="", conversation_id=call.elevenlabs_conversation_id),
                reason=NO_RESULT_MESSAGE,
            )
    # `call_finished` applies this too once the pipeline commits; the row moves only once.
    _apply_status(job_call, call.status, call.failure_reason, now=now)


# -- job lifecycle ---------------------------------------------------------------------


def settle(job: Job, *, now: datetime | None = None) -> dict[str, int]:
    """Recompute the counters; a running job with nothing left to do completes."""
    counts = job.refresh_counters()
    open_rows = counts["pending"] + counts["calling"] + counts["needs_review"]
    if job.status == Job.Status.RUNNING and open_rows == 0:
        completed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.COMPLETED, finished_at=now or timezone.now()
        )
        job.refresh_from_db(fields=["status", "finished_at"])
        if completed:
            announce_job_finished(job)
    return counts


def finish_job(job: Job, *, status: str, reason: str = "") -> bool:
    """End a job early (cancelled or failed): rows not yet dialled become cancelled.

    Calls already ringing finish normally and still update their rows.
    """
    fields = {"status": status, "finished_at": timezone.now()}
    if status == Job.Status.FAILED:
        fields["failure_reason"] = reason
    ended = Job.objects.filter(
        pk=job.pk, status__in=(Job.Status.PENDING, *ACTIVE_JOB_STATUSES)
    ).update(**fields)
    if ended:
        JobCall.objects.filter(job=job, status=JobCall.Status.PENDING).update(
            status=JobCall.Status.CANCELLED, error_message=reason or "Cancelled."
        )
    job.refresh_from_db()
    settle(job)
    if ended:
        announce_job_finished(job)
    return bool(ended)


def announce_job_finished(job: Job) -> None:
    """`job.finished` (outgoing webhooks): the job completed, was cancelled or failed."""
    announce(
        job.agency,
        "job.finished",
        {
            "id": str(job.pk),
            "campaign_id": str(job.campaign_id),
            "agent_id": str(job.agent_id) if job.agent_id else None,
            "status": job.status,
            "failure_reason": job.failure_reason,
            "total_calls": job.total_calls,
            "completed_calls": job.completed_calls,
            "failed_calls": job.failed_calls,
            "skipped_calls": job.skipped_calls,
            "cancelled_calls": job.cancelled_calls,
            "needs_review_calls": job.needs_review_calls,
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        },
        agent_id=job.agent_id,
    )


def resumes_at(job: Job, now: datetime | None = None) -> datetime | None:
    """When a running job waiting for the calling window will dial again, else None."""
    now = now or timezone.now()
    if job.status != Job.Status.RUNNING or job.calling_window != Job.CallingWindow.AU_TELEMARKETING:
        return None
    if not job.agency.active:
        return None  # waits for the agency, not the clock
    pending = JobCall.objects.filter(job=job, status=JobCall.Status.PENDING)
    if due_rows(job, now).exists() or not pending.exists():
        return None
    regions = set(pending.values_list("batch_contact__region", flat=True).distinct())
    default_state = window.agency_default_state(job.agency)
    openings = [
        window.next_region_opening(region, now, default_state, job.purpose) for region in regions
    ]
    retry_times = pending.filter(next_attempt_at__gt=now).values_list("next_attempt_at", flat=True)
    earliest_retry = min(retry_times, default=None)
    candidates = [opening for opening in openings if opening > now]
    if earliest_retry is not None:
        candidates.append(max(earliest_retry, now))
    return min(candidates, default=None)
