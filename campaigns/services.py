"""What campaigns do to the world: uploads, jobs and their lifecycle. The dialling itself is
in `campaigns.engine`."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from agents.services import sync_agent
from campaigns.csv_upload import (
    MAX_STORED_ERRORS,
    MAX_UPLOAD_BYTES,
    ParsedRow,
    RowProblem,
    UploadRefused,
    UploadSummary,
    describe_upload,
    read_rows,
    summarise,
    upload_headers,
)
from campaigns.models import BatchContact, Campaign, Job, JobCall, Upload
from compliance.rules import greeting_problem
from contacts.csv_mapping import KIND_CAMPAIGN, remember_roles
from contacts.models import Contact
from voqo.bulk import (
    insert_rows,
    json_object_writer,
    new_uuid4s,
    prepared,
    stored,
    stored_batches,
)
from voqo.calling_window import STATE_ZONES, TELEMARKETING, regions_narrowed_by
from voqo.pending_files import PendingFiles

logger = logging.getLogger(__name__)

INSERT_BATCH = 5000
# Previewed files waiting for their mapping and confirmation.
PENDING_UPLOADS = PendingFiles("uploads")


# -- uploads --------------------------------------------------------------------------


def pending_upload_path(token: str) -> Path:
    """Where a previewed file waits for confirmation; raises UploadRefused for a bad token."""
    path = PENDING_UPLOADS.path(token)
    if path is None:
        raise UploadRefused("That upload has expired. Choose the file again.")
    return path


def store_pending_upload(file: UploadedFile) -> str:
    """Copy an uploaded file to disk (chunk by chunk) for preview and confirm; return its token.

    Raises UploadRefused when the file is over the size limit.
    """
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"The file is {file.size / (1024 * 1024):.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    return PENDING_UPLOADS.store(file.chunks())


def describe_pending_upload(
    token: str, *, agency
) -> tuple[list[str], list[list[str]], list[str], bool]:
    """Headers, example values, initial roles and whether `agency` used them before (the
    mapping form)."""
    return describe_upload(pending_upload_path(token), agency=agency)


def preview_upload(token: str, roles: list[str] | None = None, *, agency) -> UploadSummary:
    """Read a stored upload once: counts, the first rows and problems. Raises UploadRefused."""
    return summarise(pending_upload_path(token), roles, agency=agency)


def discard_pending_upload(token: str) -> None:
    PENDING_UPLOADS.discard(token)


def import_upload(
    *, campaign: Campaign, token: str, filename: str, roles: list[str] | None = None
) -> Upload:
    """Create the Upload and its batch contacts from a previewed file, in short batches.

    `roles` is the column mapping staff confirmed (remembered for the next file with these
    headers); without it the remembered or guessed one is used. Rows are streamed from disk
    and inserted `INSERT_BATCH` at a time, each batch in its own short transaction, so a
    100k-row file never sits in memory nor locks the database long. Raises UploadRefused
    (nothing is kept then).
    """
    path = pending_upload_path(token)
    keys, rows = read_rows(path, roles, agency=campaign.agency)
    upload = Upload.objects.create(
        agency_id=campaign.agency_id,
        campaign=campaign,
        filename=filename[:255],
        variable_keys=keys,
    )
    records = functools.partial(
        _batch_contact_records,
        # 32 hex digits: SQLite's stored form, and text a PostgreSQL COPY reads as a uuid.
        agency_id=upload.agency_id.hex,
        upload_id=upload.pk.hex,
        variables_json=json_object_writer(keys),
    )
    total = invalid = duplicates = 0
    errors: list[dict] = []
    batch: list[ParsedRow] = []
    try:
        # Each batch is stored while the next one is read and checked.
        with stored_batches(BatchContact, _BATCH_CONTACT_COLUMNS) as insert:
            for row in rows:
                total += 1
                if type(row) is RowProblem:
                    if row.duplicate:
                        duplicates += 1
                    else:
                        invalid += 1
                    if len(errors) < MAX_STORED_ERRORS:
                        errors.append(row.as_json())
                    continue
                batch.append(row)
                if len(batch) >= INSERT_BATCH:
                    insert(records(batch))
                    batch = []
            if batch:
                insert(records(batch))
    except UploadRefused:
        upload.delete()
        raise
    apply_contact_states(upload)
    Upload.objects.filter(pk=upload.pk).update(
        total_rows=total, invalid_rows=invalid, duplicate_rows=duplicates, errors=errors
    )
    upload.refresh_from_db()
    if roles is not None:
        remember_roles(
            headers=upload_headers(path), roles=roles, kind=KIND_CAMPAIGN, agency=campaign.agency
        )
    discard_pending_upload(token)
    return upload


def apply_contact_states(upload: Upload) -> int:
    """Rows without a `state` of their own take their contact's state; returns how many.

    One UPDATE per state the agency's contacts have (none when they have none: a fresh
    100k-row upload is not scanned eight times for nothing), each a join on the indexed
    contact phone; a row's own `state` column already set its region and wins. Only the
    upload's agency's contacts count.
    """
    moved = 0
    contacts = Contact.objects.filter(agency_id=upload.agency_id)
    stated = set(
        contacts.filter(state__in=list(STATE_ZONES))
        .order_by()
        .values_list("state", flat=True)
        .distinct()
    )
    for state in (state for state in STATE_ZONES if state in stated):
        stated_phones = contacts.filter(state=state).values("phone")
        with transaction.atomic():
            moved += BatchContact.objects.filter(
                upload=upload, region__in=regions_narrowed_by(state), phone__in=stated_phones
            ).update(region=state)
    return moved


def _insert(model, batch: list[dict]) -> None:
    """One short transaction per batch, so a big import never holds the write lock long."""
    if batch:
        with transaction.atomic():
            insert_rows(model, batch)


_BATCH_CONTACT_COLUMNS = (
    "id",
    "agency_id",
    "upload_id",
    "phone",
    "name",
    "variables",
    "line_number",
    "region",
    "state",
    "created_at",
)


def _batch_contact_records(
    rows: list[ParsedRow], *, agency_id, upload_id, variables_json: Callable[..., str]
) -> list[tuple]:
    """The batch's rows as BatchContact columns (_BATCH_CONTACT_COLUMNS), in stored form."""
    created_at = stored(BatchContact, "created_at", timezone.now())
    return [
        (
            pk,
            agency_id,
            upload_id,
            row.phone,
            row.name,
            variables_json(row.variables.values()),
            row.line,
            row.region,
            row.state,
            created_at,
        )
        for pk, row in zip(new_uuid4s(len(rows)), rows, strict=True)
    ]


# -- jobs -------------------------------------------------------------------------------


class JobRefused(Exception):
    """The job cannot be created as asked; the message says why and what to change."""


def missing_campaign_variables(*, agent: Agent, upload: Upload) -> list[str]:
    """Campaign variables the agent's prompt or greeting uses that the upload has no column for."""
    return [name for name in agent.campaign_variables() if name not in upload.variable_keys]


def missing_variables_message(*, agent: Agent, upload: Upload) -> str:
    """Why `agent` cannot dial `upload` (campaign variables it lacks), or "" when it can."""
    missing = missing_campaign_variables(agent=agent, upload=upload)
    if not missing:
        return ""
    names = ", ".join("{{" + name + "}}" for name in missing)
    noun = "variable" if len(missing) == 1 else "variables"
    available = ", ".join("{{" + key + "}}" for key in upload.variable_keys) or "none"
    return (
        f"{agent.name} uses the campaign {noun} {names}, which the upload "
        f"“{upload.filename}” does not have (its variables: {available}). Upload a file "
        "with those columns, or change the agent's prompt and greeting."
    )


def create_job(
    *,
    campaign: Campaign,
    upload: Upload,
    agent: Agent,
    concurrency_cap: int = 2,
    max_retries: int = 2,
    retry_delay_minutes: int = 30,
    calling_window: str = Job.CallingWindow.AU_TELEMARKETING,
    caller_number=None,
    saved_prompt=None,
    purpose: str = TELEMARKETING,
) -> Job:
    """A pending job with one job call per batch contact of the upload (not started yet).

    Its calls go out from `caller_number` (an active outbound number of the campaign's
    agency), else from the agency's default caller ID. A `saved_prompt` of the agency's
    library replaces the agent's prompt and greeting on the job's calls (copied now; the
    agent is synced again so ElevenLabs accepts the override).

    The job, its calls and its upload and agent all belong to the campaign's agency: anything
    else raises JobRefused, as does an agent using campaign variables the upload does not
    supply (every call would otherwise read an empty value where the prompt expects one).
    """
    if upload.campaign_id != campaign.pk:
        raise JobRefused(f"The upload “{upload.filename}” belongs to another campaign.")
    if not Agent.objects.filter(pk=agent.pk, agency_id=campaign.agency_id).exists():
        raise JobRefused(f"{agent.name} belongs to another agency.")
    problem = missing_variables_message(agent=agent, upload=upload)
    if problem:
        raise JobRefused(problem)
    if saved_prompt is not None:
        if saved_prompt.agency_id != campaign.agency_id:
            raise JobRefused(f"The prompt “{saved_prompt.name}” belongs to another agency.")
        missing = sorted(set(saved_prompt.campaign_variables()) - set(upload.variable_keys))
        if missing:
            names = ", ".join("{{" + name + "}}" for name in missing)
            raise JobRefused(
                f"The prompt “{saved_prompt.name}” uses {names}, which the upload "
                f"“{upload.filename}” does not have."
            )
    if caller_number is not None and not (
        caller_number.agency_id == campaign.agency_id and caller_number.places_calls
    ):
        raise JobRefused(f"{caller_number.number} is not an outbound number of this agency.")
    if purpose == TELEMARKETING and (problem := greeting_problem(agent.greeting_message)):
        raise JobRefused(f"{agent.name}: {problem}")
    job = Job.objects.create(
        agency_id=campaign.agency_id,
        campaign=campaign,
        upload=upload,
        agent=agent,
        concurrency_cap=concurrency_cap,
        max_retries=max_retries,
        retry_delay_minutes=retry_delay_minutes,
        calling_window=calling_window,
        caller_number=caller_number,
        prompt_override=saved_prompt.system_prompt if saved_prompt else "",
        greeting_override=saved_prompt.greeting_message if saved_prompt else "",
        prompt_override_name=saved_prompt.name if saved_prompt else "",
        purpose=purpose,
    )
    contact_ids = upload.batch_contacts.order_by("line_number").values_list("pk", flat=True)
    job_id = prepared(JobCall, "job_id", job.pk)
    agency_id = prepared(JobCall, "agency_id", job.agency_id)
    batch: list[dict] = []
    for contact_id in contact_ids.iterator(chunk_size=INSERT_BATCH):
        batch.append(
            {
                "id": uuid.uuid4(),
                "agency_id": agency_id,
                "job_id": job_id,
                "batch_contact_id": contact_id,
            }
        )
        if len(batch) >= INSERT_BATCH:
            _insert(JobCall, batch)
            batch = []
    _insert(JobCall, batch)
    job.refresh_counters()
    if saved_prompt is not None and not sync_agent(agent):
        # Without the sync ElevenLabs would refuse every call's prompt override.
        job.delete()
        raise JobRefused(
            f"{agent.name} must allow this job's prompt at ElevenLabs, but the sync failed: "
            f"{agent.sync_error}"
        )
    return job


class JobActionRefused(Exception):
    """The action does not apply to the job in its current state."""


def _move_job(job: Job, *, allowed_from: tuple[str, ...], to: str, **fields) -> None:
    changed = Job.objects.filter(pk=job.pk, status__in=allowed_from).update(status=to, **fields)
    if not changed:
        job.refresh_from_db()
        raise JobActionRefused(f"This job is {job.get_status_display().lower()}.")
    job.refresh_from_db()


def _refuse_missing_variables(job: Job) -> None:
    """The agent may have been edited since the job was created: check again before dialling."""
    if job.agent is not None:
        problem = missing_variables_message(agent=job.agent, upload=job.upload)
        if problem:
            raise JobActionRefused(problem)


def run_job(job: Job) -> None:
    """Start dialling a pending job (the first calls go out at once when the window is open)."""
    _refuse_missing_variables(job)
    _move_job(
        job, allowed_from=(Job.Status.PENDING,), to=Job.Status.RUNNING, started_at=timezone.now()
    )
    _kick(job)


def pause_job(job: Job) -> None:
    """Stop claiming new rows; calls already ringing finish normally."""
    _move_job(job, allowed_from=(Job.Status.RUNNING,), to=Job.Status.PAUSED)


def resume_job(job: Job) -> None:
    _refuse_missing_variables(job)
    _move_job(job, allowed_from=(Job.Status.PAUSED,), to=Job.Status.RUNNING)
    _kick(job)


def cancel_job(job: Job) -> None:
    """Stop the job for good: rows not yet dialled become cancelled; ringing calls finish."""
    from campaigns.engine import finish_job

    finish_job(job, status=Job.Status.CANCELLED, reason="Cancelled.")


def retry_review_row(job_call: JobCall) -> None:
    """A person checked a needs-review row and wants it dialled again."""
    from campaigns.engine import settle

    updated = JobCall.objects.filter(pk=job_call.pk, status=JobCall.Status.NEEDS_REVIEW).update(
        status=JobCall.Status.PENDING,
        next_attempt_at=None,
        claimed_at=None,
        error_message="Retried after review.",
    )
    if not updated:
        raise JobActionRefused("This call no longer needs review.")
    job = job_call.job
    if job.status == Job.Status.COMPLETED:  # reopen: there is work again
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, finished_at=None)
    settle(job)
    _kick(job)


def fail_review_row(job_call: JobCall) -> None:
    """A person checked a needs-review row and closes it without dialling."""
    from campaigns.engine import settle

    updated = JobCall.objects.filter(pk=job_call.pk, status=JobCall.Status.NEEDS_REVIEW).update(
        status=JobCall.Status.FAILED, error_message="Marked failed after review."
    )
    if not updated:
        raise JobActionRefused("This call no longer needs review.")
    settle(job_call.job)


def _kick(job: Job) -> None:
    """Ask the worker to dispatch this job now instead of at the next scheduled tick."""
    from campaigns.queue import enqueue_dispatch

    transaction.on_commit(lambda: enqueue_dispatch(job.pk))


def recheck_refused_calls(job: Job) -> int:
    """Give refused rows back to the dialler (after a new wash or a consent): each is checked
    again before it is dialled. A job that completed because only refused rows were left runs
    again; a cancelled or failed job stays as it is. Returns how many rows moved."""
    if job.status in (Job.Status.CANCELLED, Job.Status.FAILED):
        return 0
    with transaction.atomic():
        moved = JobCall.objects.filter(job=job, status=JobCall.Status.REFUSED).update(
            status=JobCall.Status.PENDING, error_message="", next_attempt_at=None
        )
        if moved and job.status == Job.Status.COMPLETED:
            Job.objects.filter(pk=job.pk, status=Job.Status.COMPLETED).update(
                status=Job.Status.RUNNING, finished_at=None
            )
    job.refresh_from_db()
    job.refresh_counters()
    if moved and job.status == Job.Status.RUNNING:
        _kick(job)
    return moved


def job_numbers(job: Job):
    """The numbers a job calls (its upload's), as a flat query."""
    return BatchContact.objects.filter(upload_id=job.upload_id).values_list("phone", flat=True)
