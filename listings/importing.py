"""Applying listing records (from REAXML or CSV) to an agency's listings: upsert by merge.

Files are deltas: a listing a file does not mention is never touched, a record changes only
the fields it carries, and a record older than the stored one is ignored. Every status
other than current / under offer takes a listing out of current stock; rows are kept.
"""

from __future__ import annotations

from django.db import models, transaction

from agencies.models import Agency
from listings.models import Listing, ListingImport
from listings.reaxml import ListingRecord, ParsedFile
from listings.signals import stock_changed
from voqo.events import record_audit

MAX_PROBLEMS_KEPT = 200
_TEXT_FIELDS = (models.CharField, models.TextField)


def apply_records(
    *,
    agency: Agency,
    parsed: ParsedFile,
    source: str,
    name: str,
    actor: str = "",
    listing_source: str = Listing.Source.REAXML,
    by=None,
) -> ListingImport:
    """Upsert every applicable record of `parsed` into `agency`'s listings; record the import
    (and, for a file someone brought in, not the feed's scheduled polls, audit it)."""
    report = ListingImport(agency=agency, source=source, name=name[:255], created_by=actor[:150])
    problems: list[dict[str, str]] = [{"listing": "", "message": w} for w in parsed.warnings]
    keys = {(r.agent_code, r.unique_id) for r in parsed.records if not r.rejection}
    with transaction.atomic():
        stored = {
            (listing.agent_code, listing.unique_id): listing
            for listing in Listing.objects.filter(
                agency=agency, unique_id__in={key[1] for key in keys}
            )
            if (listing.agent_code, listing.unique_id) in keys
        }
        for record in parsed.records:
            problems += [{"listing": record.label, "message": w} for w in record.warnings]
            if record.rejection:
                report.rejected += 1
                problems.append({"listing": record.label, "message": record.rejection})
                continue
            key = (record.agent_code, record.unique_id)
            listing = stored.get(key)
            if listing is None:
                stored[key] = _create(agency, record, listing_source)
                report.created += 1
                continue
            outcome = _update(listing, record, listing_source)
            if outcome == "older":
                report.unchanged += 1
                problems.append(
                    {
                        "listing": record.label,
                        "message": "Older than the version already stored: ignored.",
                    }
                )
            elif outcome == "removed":
                report.removed += 1
            elif outcome == "updated":
                report.updated += 1
            else:
                report.unchanged += 1
        report.problems = problems[:MAX_PROBLEMS_KEPT]
        report.save()
        if source != ListingImport.Source.FEED:
            audit_import(report, by)
    if report.changed_stock:
        # After the import's own transaction: receivers see the new stock.
        stock_changed.send(sender=Listing, agency=agency)
    return report


def _status_for(record: ListingRecord, current: str | None) -> str:
    status = record.fields.get("status", record.status)
    # A current record without <underOffer> leaves "under offer" as it was (partial update).
    if status == "current" and "status" not in record.fields and current == "under_offer":
        return current
    return status


def _create(agency: Agency, record: ListingRecord, source: str) -> Listing:
    values = {key: value for key, value in record.fields.items() if key != "status"}
    listing = Listing(
        agency=agency,
        agent_code=record.agent_code,
        unique_id=record.unique_id,
        kind=record.kind,
        status=_status_for(record, None),
        source=source,
        mod_time=record.mod_time,
        **{key: _blank(key, value) for key, value in values.items()},
    )
    listing.save()
    return listing


def _blank(name: str, value):
    """Text fields store "" for "not given"; other fields store None."""
    if value is None and isinstance(Listing._meta.get_field(name), _TEXT_FIELDS):
        return ""
    return value


def _update(listing: Listing, record: ListingRecord, source: str) -> str:
    """Merge `record` into `listing`: "older", "removed", "updated" or "unchanged"."""
    if listing.mod_time and record.mod_time and record.mod_time < listing.mod_time:
        return "older"
    was_in_stock = listing.in_stock
    changed = []
    new_values = {key: value for key, value in record.fields.items() if key != "status"}
    new_values.update(status=_status_for(record, listing.status), kind=record.kind)
    for name, value in new_values.items():
        value = _blank(name, value)
        if getattr(listing, name) != value:
            setattr(listing, name, value)
            changed.append(name)
    if record.mod_time != listing.mod_time:
        listing.mod_time = record.mod_time
        changed.append("mod_time")
    if not changed:
        return "unchanged"
    listing.source = source
    listing.save(update_fields=[*changed, "source", "updated_at"])
    if was_in_stock and not listing.in_stock:
        return "removed"
    return "updated"


def audit_import(report: ListingImport, by) -> None:
    """The audit record of a listings file import (refused or applied)."""
    counts = {
        name: getattr(report, name)
        for name in ("created", "updated", "removed", "unchanged", "rejected")
    }
    summary = (
        f"Listings file {report.name} refused: {report.error}"
        if report.error
        else f"Imported listings from {report.name}: "
        + ", ".join(f"{count} {name}" for name, count in counts.items())
    )
    record_audit(
        report.agency,
        by,
        "listings.imported",
        summary,
        detail={"source": report.source, "counts": counts, "error": report.error},
        target=f"listing_import:{report.pk}",
    )
