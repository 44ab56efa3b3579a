"""What the contacts domain does: opt-outs, CSV import and export, "Call now"."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from agents.models import Agent
from calls.models import Call
from calls.outbound import WindowOverride, place_outbound_call
from calls.services import agency_zone
from contacts.csv_import import CsvRejected, CsvTable, iter_csv_lines, read_csv
from contacts.models import Contact
from contacts.personalisation import caller_variables
from voqo.phones import normalize_phone, try_normalize_phone

MAX_TAGS = 20
MAX_TAG_CHARS = 50
_TAG_SEPARATORS = re.compile(r"[,;|]")


def parse_tags(text: str) -> list[str]:
    """'vip, buyer;Buyer' → ['vip', 'buyer']: trimmed, de-duplicated (case-insensitive)."""
    tags: list[str] = []
    seen: set[str] = set()
    for raw in _TAG_SEPARATORS.split(text or ""):
        tag = raw.strip()[:MAX_TAG_CHARS]
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags[:MAX_TAGS]


# --- Search --------------------------------------------------------------------------


def search_contacts(queryset: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """Contacts whose name contains `text` or whose number matches it, however it is typed.

    A complete number in any format ("0412 345 678", "+61 412 345 678") matches exactly; a
    run of 3+ digits matches anywhere in the stored E.164 number, with a national leading 0
    dropped ("0412 345" finds +61412345678).
    """
    text = text.strip()
    if not text:
        return queryset
    condition = Q(name__icontains=text)
    phone = try_normalize_phone(text)
    if phone:
        condition |= Q(phone=phone)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 3 and not phone:
        if digits.startswith("0") and not digits.startswith("00"):
            digits = digits[1:]
        condition |= Q(phone__contains=digits)
    return queryset.filter(condition)


def filter_by_tag(queryset: QuerySet[Contact], tag: str) -> QuerySet[Contact]:
    """Contacts carrying `tag` (exact, case-insensitive where the database allows)."""
    if connection.features.supports_json_field_contains:
        return queryset.filter(tags__contains=[tag])
    # SQLite has no JSON containment: match the quoted tag inside the stored JSON list.
    return queryset.filter(tags__icontains=json.dumps(tag))


def known_tags(limit: int = 200) -> list[str]:
    """Every tag in use (for the filter's suggestions), cached for a minute."""
    tags = cache.get("voqo:contacts:tags")
    if tags is None:
        seen: dict[str, str] = {}
        for tag_list in (
            Contact.objects.exclude(tags=[])
            .values_list("tags", flat=True)
            .iterator(chunk_size=2000)
        ):
            for tag in tag_list or []:
                seen.setdefault(str(tag).lower(), str(tag))
        tags = sorted(seen.values(), key=str.lower)[:limit]
        cache.set("voqo:contacts:tags", tags, 60)
    return tags


# --- Opt-out -------------------------------------------------------------------------


def opt_out_contact(*, contact: Contact, by: str) -> Contact:
    """Mark `contact` opted out (never called by campaigns nor texted); keeps the first time."""
    if contact.opted_out_at is None:
        contact.opted_out_at = timezone.now()
        contact.opted_out_by = by[:150]
        contact.save(update_fields=["opted_out_at", "opted_out_by", "updated_at"])
    return contact


def undo_opt_out(*, contact: Contact) -> Contact:
    """Let `contact` be called and texted again (staff only, e.g. the person asked)."""
    contact.opted_out_at = None
    contact.opted_out_by = ""
    contact.save(update_fields=["opted_out_at", "opted_out_by", "updated_at"])
    return contact


# --- Call now ------------------------------------------------------------------------


def call_now(
    *,
    agent: Agent,
    phone: str,
    contact: Contact | None = None,
    window_override: WindowOverride | None = None,
) -> Call:
    """Dial `phone` with `agent`, personalised for the contact with that number.

    The call record exists (status initiated) before the provider is asked. Raises
    OutboundCallRefused (opted out, agent disabled or unsynced, or outside the calling
    window without an owner's override: nothing dialled) or calls.outbound.OutboundCallFailed
    (the provider's error; the call is marked failed).
    """
    if contact is None:
        contact = Contact.objects.filter(phone=phone).first()
    variables = caller_variables(phone=phone, contact=contact, agent_name=agent.name)
    return place_outbound_call(
        agent=agent,
        to_phone=phone,
        dynamic_variables=variables,
        contact=contact,
        window_override=window_override,
    )


# --- CSV export ----------------------------------------------------------------------

EXPORT_HEADERS = ["name", "phone", "notes", "tags", "opted_out_at", "last_call_at", "created_at"]


def local_iso(moment: datetime | None, zone: tzinfo) -> str:
    """An export timestamp in the agency's zone with its offset (2026-03-11T13:00:00+11:00)."""
    return timezone.localtime(moment, zone).isoformat() if moment else ""


def export_contacts_csv(queryset: QuerySet[Contact] | None = None) -> Iterator[str]:
    """The contacts as CSV lines (header first), streamed, safe to open in a spreadsheet.

    Times are in the agency's zone (Settings), with the offset, so a spreadsheet shows the
    agency's clock and nothing is lost for a program that reads them.
    """
    queryset = Contact.objects.all() if queryset is None else queryset
    zone = agency_zone()

    def records():
        yield EXPORT_HEADERS
        rows = queryset.order_by("name", "phone").values_list(
            "name", "phone", "notes", "tags", "opted_out_at", "last_call_at", "created_at"
        )
        for name, phone, notes, tags, opted_out_at, last_call_at, created_at in rows.iterator(
            chunk_size=2000
        ):
            yield [
                name,
                phone,
                notes,
                ", ".join(tags or []),
                local_iso(opted_out_at, zone),
                local_iso(last_call_at, zone),
                local_iso(created_at, zone),
            ]

    return iter_csv_lines(records())


# --- CSV import ----------------------------------------------------------------------

PHONE_COLUMNS = ("phone", "phone_number")
IMPORT_BATCH_SIZE = 500
MAX_IMPORT_ROWS = 100_000
PREVIEW_ROWS = 10
MAX_REPORTED_ERRORS = 100
MAX_NAME_CHARS = 200


@dataclass
class RowProblem:
    line_number: int
    message: str


@dataclass
class ContactImportReport:
    """What an import found (preview) or did (commit)."""

    total_rows: int = 0
    new_rows: int = 0
    invalid_rows: int = 0
    duplicate_rows: int = 0  # the same number earlier in the file
    existing_rows: int = 0  # the number is already a contact
    created: int = 0
    committed: bool = False
    encoding: str = ""
    preview: list[dict] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def skipped_rows(self) -> int:
        return self.invalid_rows + self.duplicate_rows + self.existing_rows

    @property
    def more_errors(self) -> int:
        return self.invalid_rows - len(self.errors)


class _ImportRow(NamedTuple):
    name: str
    phone: str
    notes: str
    tags: list[str]


def _contact_from_row(values: dict[str, str], phone_column: str) -> _ImportRow:
    """The contact fields of one CSV row, or ValidationError with the reason."""
    raw_phone = values.get(phone_column, "")
    if not raw_phone:
        raise ValidationError("No phone number.")
    phone = normalize_phone(raw_phone)
    name = values.get("name", "")
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(f"The name is longer than {MAX_NAME_CHARS} characters.")
    return _ImportRow(name, phone, values.get("notes", ""), parse_tags(values.get("tags", "")))


def _insert_new_contacts(rows: list[_ImportRow]) -> int:
    """Insert `rows`, skipping numbers that already exist; return how many were inserted.

    The same as bulk_create(ignore_conflicts=True) — ON CONFLICT DO NOTHING covers a
    concurrent import or call adding the number — written as one executemany because
    bulk_create's per-value SQL compilation cost more than parsing the phone numbers.
    """
    pk_field = Contact._meta.pk
    tags_field = Contact._meta.get_field("tags")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [
        (
            pk_field.get_db_prep_value(uuid.uuid4(), connection),
            row.name,
            row.phone,
            row.notes,
            tags_field.get_db_prep_save(row.tags, connection),
            now,
            now,
        )
        for row in rows
    ]
    table = connection.ops.quote_name(Contact._meta.db_table)
    sql = (
        f"INSERT INTO {table} (id, name, phone, notes, tags, opted_out_by, state, created_at, "
        "updated_at) VALUES (%s, %s, %s, %s, %s, '', '', %s, %s) ON CONFLICT (phone) DO NOTHING"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)
        if connection.vendor == "sqlite":
            return cursor.rowcount  # sqlite3 sums executemany's changes; ignored rows are 0
        placeholders = ", ".join(["%s"] * len(params))
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE id IN ({placeholders})", [p[0] for p in params]
        )
        return cursor.fetchone()[0]


def contact_import_table(fileobj: IO[bytes]) -> tuple[CsvTable, str]:
    """Open a contacts CSV and find its phone column; CsvRejected when it has none."""
    table = read_csv(fileobj)
    phone_column = next((name for name in PHONE_COLUMNS if name in table.headers), None)
    if phone_column is None:
        found = ", ".join(f"“{h}”" for h in table.headers if h) or "none"
        raise CsvRejected(
            "The file has no “phone” (or “phone_number”) column in its first row. "
            f"Columns found: {found}."
        )
    return table, phone_column


def import_contacts_csv(fileobj: IO[bytes], *, commit: bool) -> ContactImportReport:
    """Read a contacts CSV; with `commit`, create the new contacts in batches.

    Bad rows are reported with their line number and skipped; numbers repeated in the file
    or already known are skipped and counted; good rows are never lost to bad ones.
    Raises CsvRejected when the file as a whole cannot be used.
    """
    table, phone_column = contact_import_table(fileobj)
    report = ContactImportReport(committed=commit, encoding=table.encoding)
    seen_phones: set[str] = set()
    batch: list[_ImportRow] = []
    batch_previews: list[tuple[str, dict]] = []

    def flush() -> None:
        if not batch:
            return
        if commit:
            new = _insert_new_contacts(batch)
            known = None
        else:
            phones = [row.phone for row in batch]
            known = set(Contact.objects.filter(phone__in=phones).values_list("phone", flat=True))
            new = len(batch) - len(known)
        report.new_rows += new
        report.created += new if commit else 0
        report.existing_rows += len(batch) - new
        for phone, preview in batch_previews:
            if known is not None:
                preview["status"] = "Already a contact" if phone in known else "New"
            else:
                preview["status"] = "Imported or already a contact"
        batch.clear()
        batch_previews.clear()

    for row in table.rows():
        report.total_rows += 1
        if report.total_rows > MAX_IMPORT_ROWS and not commit:
            # Checked in the preview, so a confirmed import never stops halfway.
            raise CsvRejected(
                f"The file has more than {MAX_IMPORT_ROWS:,} rows. Split it into smaller files."
            )
        preview = None
        if len(report.preview) < PREVIEW_ROWS:
            preview = {
                "line_number": row.line_number,
                "name": row.values.get("name", ""),
                "phone": row.values.get(phone_column, ""),
                "tags": row.values.get("tags", ""),
                "notes": row.values.get("notes", ""),
                "status": "",
                "ok": True,
            }
            report.preview.append(preview)
        try:
            if row.error:
                raise ValidationError(row.error)
            contact = _contact_from_row(row.values, phone_column)
        except ValidationError as error:
            report.invalid_rows += 1
            message = " ".join(error.messages)
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append(RowProblem(row.line_number, message))
            if preview is not None:
                preview.update(status=message, ok=False)
            continue
        if contact.phone in seen_phones:
            report.duplicate_rows += 1
            if preview is not None:
                preview["status"] = "Repeats an earlier row"
            continue
        seen_phones.add(contact.phone)
        if preview is not None:
            preview["phone"] = contact.phone
            batch_previews.append((contact.phone, preview))
        batch.append(contact)
        if len(batch) >= IMPORT_BATCH_SIZE:
            flush()
    flush()
    if commit and report.created:
        cache.delete("voqo:contacts:tags")
    return report


# --- Uploaded files kept between preview and confirm --------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
PENDING_IMPORT_MAX_AGE = 24 * 3600


def _pending_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "contacts"


def pending_import_path(token: str) -> Path | None:
    """The stored upload for `token`, or None (unknown, expired or malformed token)."""
    if not _TOKEN.match(token or ""):
        return None
    path = _pending_dir() / f"{token}.csv"
    return path if path.exists() else None


def store_pending_import(chunks: Iterator[bytes]) -> str:
    """Keep an uploaded file on disk until staff confirm it; returns its token.

    Also removes pending files older than a day (abandoned previews).
    """
    directory = _pending_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - PENDING_IMPORT_MAX_AGE
    for old in directory.glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass
    token = uuid.uuid4().hex
    with open(directory / f"{token}.csv", "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return token


def discard_pending_import(token: str) -> None:
    path = pending_import_path(token)
    if path is not None:
        path.unlink(missing_ok=True)
