"""The job report CSV: one line per job call, escaped against spreadsheet formulas."""

import json
from collections.abc import Iterator

from campaigns.models import Job
from contacts.csv_import import iter_csv_lines
from contacts.services import local_iso
from voqo.models import agency_zone

REPORT_HEADER = [
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


def job_report_rows(job: Job) -> Iterator[list]:
    """One row per job call; `called_at` in the agency's zone with its offset."""
    zone = agency_zone(job.agency)
    yield REPORT_HEADER
    rows = (
        job.job_calls.select_related("batch_contact", "call", "call__call_outcome")
        .order_by("batch_contact__line_number", "pk")
        .iterator(chunk_size=2000)
    )
    for job_call in rows:
        call = job_call.call
        yield [
            job_call.batch_contact.phone,
            job_call.batch_contact.name,
            job_call.status,
            job_call.attempts,
            call.duration if call and call.duration is not None else "",
            job_call.error_message,
            call.id if call else "",
            local_iso(call.created_at, zone) if call else "",
            call.disposition if call else "",
            _outcome_details(call),
        ]


def job_report_lines(job: Job) -> Iterator[str]:
    """CSV text (UTF-8 with a BOM so Excel reads names correctly), a line at a time."""
    yield "\ufeff"
    yield from iter_csv_lines(job_report_rows(job))


def _outcome_details(call) -> str:
    outcome = getattr(call, "call_outcome", None) if call else None
    if outcome is None or not outcome.extracted_data:
        return ""
    return json.dumps(outcome.extracted_data, ensure_ascii=False)
