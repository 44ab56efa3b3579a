"""The calls CSV: the list's filters applied, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import QuerySet

from calls.models import Call
from contacts.csv_import import iter_csv_lines
from contacts.services import local_iso
from outcomes.models import Outcome

CALLS_HEADER = [
    "call_id",
    "started_at",
    "direction",
    "status",
    "from_phone",
    "to_phone",
    "contact_name",
    "agent",
    "duration",
    "outcome",
    "outcome_label",
    "outcome_confidence",
    "outcome_details",
    "summary",
    "sms_status",
]
CHUNK = 1000


def call_rows(calls: QuerySet[Call], *, zone) -> Iterator[list]:
    """Header, then one row per call newest first; outcomes read a chunk at a time."""
    yield CALLS_HEADER
    rows = calls.select_related("contact").order_by("-created_at", "-id")
    chunk: list[Call] = []
    for call in rows.iterator(chunk_size=CHUNK):
        chunk.append(call)
        if len(chunk) >= CHUNK:
            yield from _chunk_rows(chunk, zone)
            chunk = []
    yield from _chunk_rows(chunk, zone)


def _chunk_rows(calls: list[Call], zone) -> Iterator[list]:
    if not calls:
        return
    outcomes = {o.call_id: o for o in Outcome.objects.filter(call__in=[c.pk for c in calls])}
    for call in calls:
        outcome = outcomes.get(call.pk)
        yield [
            call.pk,
            local_iso(call.started_at or call.created_at, zone),
            call.direction,
            call.status,
            call.from_phone,
            call.to_phone,
            call.contact.name if call.contact else "",
            call.agent_name,
            "" if call.duration is None else call.duration,
            call.disposition,
            outcome.label if outcome else "",
            "" if not outcome or outcome.confidence is None else outcome.confidence,
            json.dumps(outcome.extracted_data, ensure_ascii=False) if outcome else "",
            " ".join(call.summary.split()),
            call.sms_status,
        ]


def calls_csv_lines(calls: QuerySet[Call], *, zone) -> Iterator[str]:
    """CSV text (UTF-8 with a BOM so Excel reads names correctly), a line at a time."""
    yield "\ufeff"
    yield from iter_csv_lines(call_rows(calls, zone=zone))
