"""Importing contacts from a CSV file: keep the upload, map its columns, preview, commit.

The file is read by the one CSV reader (`contacts.csv_import`) and each row through the one
row pipeline (`contacts.csv_mapping.ColumnMapping.read`), the same as campaign uploads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency
from contacts.csv_import import CsvRejected, CsvTable, read_csv
from contacts.csv_mapping import (
    KIND_CONTACTS,
    ColumnMapping,
    MappedRow,
    initial_roles,
    remember_roles,
)
from contacts.models import Contact
from contacts.opt_out import apply_suppressions
from contacts.services import forget_known_tags
from voqo.models import agency_zone
from voqo.pending_files import PendingFiles

IMPORT_BATCH_SIZE = 500
MAX_IMPORT_ROWS = 100_000
PREVIEW_ROWS = 10
MAX_REPORTED_ERRORS = 100


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
    # Existing contacts the file says opted out, who were not (an import never clears one).
    opt_outs_added: int = 0
    committed: bool = False
    encoding: str = ""
    delimiter: str = "comma"
    preview: list[dict] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def skipped_rows(self) -> int:
        return self.invalid_rows + self.duplicate_rows + self.existing_rows

    @property
    def more_errors(self) -> int:
        return self.invalid_rows - len(self.errors)


def open_contacts_csv(fileobj: IO[bytes]) -> CsvTable:
    """The file as a table (CsvRejected when it cannot be read as a CSV at all)."""
    return read_csv(fileobj)


def contacts_mapping(
    table: CsvTable, roles: list[str] | None = None, *, agency: Agency
) -> ColumnMapping:
    """The mapping of `table` with `roles`, or the ones `agency` remembered (else guessed)."""
    if roles is None:
        roles, _remembered = initial_roles(
            table.original_headers, kind=KIND_CONTACTS, agency=agency
        )
    return ColumnMapping(table.original_headers, roles, kind=KIND_CONTACTS)


def _insert_new_contacts(rows: list[MappedRow], *, agency: Agency) -> int:
    """Insert `rows` into `agency`, skipping numbers it already has; return how many were
    inserted.

    The same as bulk_create(ignore_conflicts=True) — ON CONFLICT DO NOTHING covers a
    concurrent import or call adding the number — written as one executemany because
    bulk_create's per-value SQL compilation cost more than parsing the phone numbers.
    """
    pk_field = Contact._meta.pk
    agency_id = Contact._meta.get_field("agency").get_db_prep_value(agency.pk, connection)
    tags_field = Contact._meta.get_field("tags")
    opted_field = Contact._meta.get_field("opted_out_at")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [
        (
            pk_field.get_db_prep_value(uuid.uuid4(), connection),
            agency_id,
            row.name,
            row.phone,
            row.email,
            row.state,
            row.notes,
            tags_field.get_db_prep_save(row.tags, connection),
            opted_field.get_db_prep_save(row.opted_out_at, connection),
            row.opted_out_by,
            now,
            now,
        )
        for row in rows
    ]
    table = connection.ops.quote_name(Contact._meta.db_table)
    sql = (
        f"INSERT INTO {table} (id, agency_id, name, phone, email, state, notes, tags, "
        "opted_out_at, opted_out_by, created_at, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (agency_id, phone) DO NOTHING"
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


def _add_opt_outs(rows: list[MappedRow], *, commit: bool, agency: Agency) -> int:
    """Opt out `agency`'s existing contacts the file marks as opted out; never clears an
    opt-out."""
    opted = {row.phone: row for row in rows if row.opted_out_at is not None}
    if not opted:
        return 0
    pending = Contact.objects.filter(
        agency=agency, phone__in=list(opted), opted_out_at__isnull=True
    )
    if not commit:
        return pending.count()
    added = 0
    for phone in pending.values_list("phone", flat=True):
        row = opted[phone]
        added += pending.filter(phone=phone).update(
            opted_out_at=row.opted_out_at, opted_out_by=row.opted_out_by, updated_at=timezone.now()
        )
    return added


def _preview_row(mapped: MappedRow) -> dict:
    return {
        "line_number": mapped.line,
        "name": mapped.name,
        "phone": mapped.phone,
        "email": mapped.email,
        "state": mapped.state,
        "tags": ", ".join(mapped.tags),
        "notes": mapped.notes,
        "opted_out_at": mapped.opted_out_at,
        "status": "",
        "ok": True,
    }


def import_contacts_csv(
    fileobj: IO[bytes], *, commit: bool, agency: Agency, roles: list[str] | None = None
) -> ContactImportReport:
    """Read a contacts CSV through its column mapping; with `commit`, create the contacts
    in `agency` (a number another agency has is new here).

    `roles` is the mapping staff chose (remembered for the next file with these headers once
    committed); without it the remembered or guessed one is used. Bad rows are reported with
    their line number and skipped; numbers repeated in the file or already known are
    skipped and counted (an opt-out in the file still reaches a known contact); good rows
    are never lost to bad ones. Raises CsvRejected when the file as a whole cannot be used,
    or the mapping has no phone column.
    """
    table = open_contacts_csv(fileobj)
    mapping = contacts_mapping(table, roles, agency=agency)
    if mapping.errors:
        raise CsvRejected(" ".join(mapping.errors))
    report = ContactImportReport(
        committed=commit, encoding=table.encoding, delimiter=table.delimiter_name
    )
    seen_phones: set[str] = set()
    batch: list[MappedRow] = []
    batch_previews: list[tuple[str, dict]] = []
    now = timezone.now()
    zone = agency_zone(agency)

    def flush() -> None:
        if not batch:
            return
        if commit:
            new = _insert_new_contacts(batch, agency=agency)
            # Numbers that said STOP to this agency earlier.
            apply_suppressions((row.phone for row in batch), agency=agency)
            known = None
        else:
            phones = [row.phone for row in batch]
            known = set(
                Contact.objects.filter(agency=agency, phone__in=phones).values_list(
                    "phone", flat=True
                )
            )
            new = len(batch) - len(known)
        report.opt_outs_added += _add_opt_outs(batch, commit=commit, agency=agency)
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
        try:
            mapped = mapping.read(row, now=now, zone=zone)
        except ValidationError as error:
            report.invalid_rows += 1
            message = " ".join(error.messages)
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append(RowProblem(row.line_number, message))
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append(
                    {"line_number": row.line_number, "status": message, "ok": False}
                )
            continue
        preview = None
        if len(report.preview) < PREVIEW_ROWS:
            preview = _preview_row(mapped)
            report.preview.append(preview)
        if mapped.phone in seen_phones:
            report.duplicate_rows += 1
            if preview is not None:
                preview["status"] = "Repeats an earlier row"
            continue
        seen_phones.add(mapped.phone)
        if preview is not None:
            batch_previews.append((mapped.phone, preview))
        batch.append(mapped)
        if len(batch) >= IMPORT_BATCH_SIZE:
            flush()
    flush()
    if commit and (report.created or report.opt_outs_added):
        forget_known_tags(agency)
    if commit and roles is not None:
        remember_roles(
            headers=mapping.headers, roles=mapping.roles, kind=KIND_CONTACTS, agency=agency
        )
    return report


def import_summary(report: ContactImportReport) -> str:
    """One sentence for staff after a committed import."""
    parts = [f"Imported {report.created} new contact{'s' if report.created != 1 else ''}."]
    if report.existing_rows:
        parts.append(f"{report.existing_rows} already existed.")
    if report.opt_outs_added:
        parts.append(f"{report.opt_outs_added} existing contacts are now opted out.")
    if report.duplicate_rows:
        parts.append(f"{report.duplicate_rows} repeated rows skipped.")
    if report.invalid_rows:
        parts.append(f"{report.invalid_rows} rows had errors and were skipped.")
    return " ".join(parts)


# --- Uploaded files kept between upload, mapping and confirm --------------------------

PENDING_IMPORTS = PendingFiles("imports", "contacts")
