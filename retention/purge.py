"""Removing what is past its retention: a list of steps, each run in short batches.

Every step is one `PurgeStep`; adding one (say, expired idempotency keys) is one line in
`PURGE_STEPS`. A step gets the purge's moment and whether it is a dry run, and returns how
many rows it removed (or would remove) per agency (`None`: install-wide rows).

Each batch is its own short transaction of at most `BATCH_SIZE` rows, so the purge never
holds the write lock long enough to hold up webhooks (SQLite has one writer at a time).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from api.keys import purge_expired_idempotency_keys
from voqo.events import record_audit
from voqo.models import DEFAULT_SETTINGS, Setting
from webhooks.retention import purge_old_webhook_events

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Finished django-q2 task rows (results and failures) are kept this long.
TASK_ROWS_DAYS = 7

Counts = Counter  # agency id (None: install-wide) → rows


@dataclass(frozen=True)
class PurgeStep:
    """One kind of row the purge removes: `run(now=, dry_run=)` returns its counts."""

    name: str
    run: Callable[..., Counts]


def in_batches(queryset: QuerySet, apply: Callable[[QuerySet], int], *, dry_run: bool) -> int:
    """Apply `apply` to the rows of `queryset`, BATCH_SIZE at a time, each batch in its own
    transaction; `apply` must take the rows out of `queryset` (delete or change them).
    A dry run only counts."""
    if dry_run:
        return queryset.count()
    model = queryset.model
    done = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return done
        with transaction.atomic():
            done += apply(model._base_manager.filter(pk__in=ids))
        if len(ids) < BATCH_SIZE:
            return done


def retention_days(agency, key: str) -> int:
    """The agency's retention in days for `key` (a DEFAULT_SETTINGS key), at least 1."""
    value = Setting.get_value(key, agency) if agency is not None else DEFAULT_SETTINGS[key]
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return int(DEFAULT_SETTINGS[key])


def _per_agency(key: str, purge_one: Callable[..., int]) -> Callable[..., Counts]:
    """A step that runs `purge_one(agency=, cutoff=, dry_run=)` for every agency with the
    cutoff its retention setting `key` gives."""

    def run(*, now: datetime, dry_run: bool) -> Counts:
        from agencies.models import Agency

        counts = Counts()
        for agency in Agency.objects.order_by("created_at"):
            cutoff = now - timedelta(days=retention_days(agency, key))
            counts[agency.pk] += purge_one(agency=agency, cutoff=cutoff, dry_run=dry_run)
        return counts

    return run


def install_wide(purge: Callable[[], int], *, count: Callable[[], int] | None = None):
    """A step from a plain function of another app that purges install-wide rows and returns
    how many (e.g. `api.services.purge_expired_idempotency_keys`). Without `count`, a dry run
    reports 0 for it."""

    def run(*, now: datetime, dry_run: bool) -> Counts:
        if dry_run:
            return Counts({None: count() if count else 0})
        return Counts({None: purge() or 0})

    return run


# -- the steps ------------------------------------------------------------------------


def _purge_recordings(*, agency, cutoff: datetime, dry_run: bool) -> int:
    from calls.models import Call

    # A stored file, or one ElevenLabs still holds and playback would fetch: either way the
    # call is marked so the recording is never fetched again (Call.recording_removed).
    calls = Call.objects.filter(
        agency=agency, created_at__lt=cutoff, recording_expires_at__isnull=True
    ).filter(
        ~Q(recording_file="")
        | Q(status=Call.Status.COMPLETED, elevenlabs_conversation_id__isnull=False)
    )
    now = timezone.now()

    def drop(batch: QuerySet) -> int:
        names = [name for name in batch.values_list("recording_file", flat=True) if name]
        changed = batch.update(recording_file="", recording_url="", recording_expires_at=now)
        transaction.on_commit(lambda: delete_media_files(names))
        return changed

    return in_batches(calls, drop, dry_run=dry_run)


def delete_media_files(names: list[str]) -> None:
    """Delete stored files (recordings) by name; one already gone is not an error."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError as error:
            logger.warning("could not delete media file %s: %r", name, error)


def _purge_transcripts(*, agency, cutoff: datetime, dry_run: bool) -> int:
    from calls.models import Call

    calls = Call.objects.filter(agency=agency, created_at__lt=cutoff).exclude(transcript=[])
    return in_batches(calls, lambda batch: batch.update(transcript=[]), dry_run=dry_run)


def _webhook_payloads(cutoff: datetime) -> QuerySet:
    from calls.models import WebhookEvent

    # The row itself stays (its unique key turns a late duplicate delivery into a no-op);
    # only its raw payload goes, and only once the event is done with.
    return (
        WebhookEvent.objects.filter(received_at__lt=cutoff)
        .filter(Q(processed_at__isnull=False) | Q(failed_at__isnull=False))
        .exclude(payload={})
    )


def _purge_webhook_payloads(*, agency, cutoff: datetime, dry_run: bool) -> int:
    events = _webhook_payloads(cutoff).filter(agency=agency)
    return in_batches(events, lambda batch: batch.update(payload={}), dry_run=dry_run)


def _purge_unowned_webhook_payloads(*, now: datetime, dry_run: bool) -> Counts:
    """Events whose agency was never known (an unknown agent) keep the default retention."""
    days = DEFAULT_SETTINGS["retention_webhook_payload_days"]
    events = _webhook_payloads(now - timedelta(days=days)).filter(agency__isnull=True)
    done = in_batches(events, lambda batch: batch.update(payload={}), dry_run=dry_run)
    return Counts({None: done})


def _purge_task_rows(*, now: datetime, dry_run: bool) -> Counts:
    from django_q.models import Task

    finished = Task.objects.filter(stopped__lt=now - timedelta(days=TASK_ROWS_DAYS))
    done = in_batches(finished, lambda batch: batch.delete()[0], dry_run=dry_run)
    return Counts({None: done})


def _purge_expired_invitations(*, now: datetime, dry_run: bool) -> Counts:
    from agencies.models import INVITATION_MAX_AGE, Invitation

    expired = Invitation.objects.filter(
        accepted_at__isnull=True, created_at__lt=now - INVITATION_MAX_AGE
    )
    counts = Counts()
    for agency_id in expired.values_list("agency_id", flat=True).distinct():
        counts[agency_id] += in_batches(
            expired.filter(agency_id=agency_id),
            lambda batch: batch.delete()[0],
            dry_run=dry_run,
        )
    return counts


PURGE_STEPS: list[PurgeStep] = [
    PurgeStep("recordings", _per_agency("retention_recording_days", _purge_recordings)),
    PurgeStep("transcripts", _per_agency("retention_transcript_days", _purge_transcripts)),
    PurgeStep(
        "webhook payloads",
        _per_agency("retention_webhook_payload_days", _purge_webhook_payloads),
    ),
    PurgeStep("webhook payloads of no agency", _purge_unowned_webhook_payloads),
    PurgeStep("finished task rows", _purge_task_rows),
    PurgeStep("expired invitations", _purge_expired_invitations),
    PurgeStep("expired idempotency keys", install_wide(purge_expired_idempotency_keys)),
    PurgeStep("outgoing webhook deliveries", install_wide(purge_old_webhook_events)),
]


# -- running them ---------------------------------------------------------------------


@dataclass
class PurgeResult:
    dry_run: bool
    # step name → agency id (None: install-wide) → rows
    counts: dict[str, Counts] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(per_agency.values()) for name, per_agency in self.counts.items()}

    def for_agency(self, agency_id) -> dict[str, int]:
        return {name: per_agency.get(agency_id, 0) for name, per_agency in self.counts.items()}


def run_purge(*, dry_run: bool = False, now: datetime | None = None) -> PurgeResult:
    """Remove (or, with `dry_run`, count) everything past its retention, step by step; a
    real purge is counted in the audit trail of each agency it touched and install-wide."""
    from agencies.models import Agency

    now = now or timezone.now()
    result = PurgeResult(dry_run=dry_run)
    for step in PURGE_STEPS:
        result.counts[step.name] = step.run(now=now, dry_run=dry_run)
    if dry_run:
        return result
    touched = {
        agency_id
        for per_agency in result.counts.values()
        for agency_id, count in per_agency.items()
        if count and agency_id is not None
    }
    for agency in Agency.objects.filter(pk__in=touched):
        counts = {name: n for name, n in result.for_agency(agency.pk).items() if n}
        record_audit(
            agency,
            None,
            "purge",
            "Purge past retention: " + _describe(counts),
            detail={"counts": counts},
        )
    record_audit(
        None,
        None,
        "purge",
        "Purge past retention: " + _describe(result.totals),
        detail={"counts": result.totals},
    )
    return result


def _describe(counts: dict[str, int]) -> str:
    removed = [f"{count} {name}" for name, count in counts.items() if count]
    return ", ".join(removed) or "nothing was due"
