"""The one writer of opt-outs and opt-ins: staff buttons, STOP/START replies and Twilio's
"unsubscribed recipient" error all come here.

An opt-out is kept by number (SuppressedNumber) as well as on the contact, so a number that
said STOP before it was a contact stays suppressed; a contact created later for that number
starts opted out (Contact.save, and `apply_suppressions` after a bulk import).

Everything here is per agency: a STOP to agency A's number suppresses the sender for A only.
Callers pass `agency=`. Without it (callers written before agencies) the old install-wide
meaning applies: every agency that has the number as a contact (else
`unscoped_writer_agency_id()`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from contacts.models import Contact, SuppressedNumber, unscoped_writer_agency_id
from voqo.events import record_audit


def _agencies_of(phone: str, agency: Agency | None) -> list:
    """The agency ids an opt-out of `phone` applies to (see the module docstring)."""
    if agency is not None:
        return [agency.pk]
    ids = list(Contact.objects.filter(phone=phone).values_list("agency_id", flat=True))
    if not ids:
        fallback = unscoped_writer_agency_id()
        ids = [fallback] if fallback is not None else []
    return ids


def _suppress(*, agency_id, phone: str, by: str, actor=None) -> bool:
    now = timezone.now()
    suppression = SuppressedNumber.objects.filter(agency_id=agency_id, phone=phone).first()
    created = False
    if suppression is None:
        try:
            with transaction.atomic():
                suppression = SuppressedNumber.objects.create(
                    agency_id=agency_id, phone=phone, suppressed_at=now, source=by[:150]
                )
                created = True
        except IntegrityError:  # a concurrent opt-out of the same number won
            suppression = SuppressedNumber.objects.get(agency_id=agency_id, phone=phone)
    updated = Contact.objects.filter(
        agency_id=agency_id, phone=phone, opted_out_at__isnull=True
    ).update(
        opted_out_at=suppression.suppressed_at, opted_out_by=suppression.source, updated_at=now
    )
    if created or updated:
        record_audit(
            agency_id,
            actor,
            "opt_out.changed",
            f"Opted out {phone} ({by})",
            detail={"phone": phone, "opted_out": True, "by": by},
            target=f"phone:{phone}",
        )
    return created or bool(updated)


def opt_out_number(*, phone: str, by: str, agency: Agency | None = None) -> bool:
    """Stop all calls and SMS from `agency` to `phone` (E.164), a contact's or not; True if
    this did it. A number keeps the time and source of its first opt-out."""
    changed = False
    for agency_id in _agencies_of(phone, agency):
        changed = _suppress(agency_id=agency_id, phone=phone, by=by) or changed
    return changed


def opt_out_contact(*, contact_id, by: str, agency: Agency | None = None, actor=None) -> bool:
    """Stop all SMS and calls to the contact's number (in the contact's agency); True if
    this opted them out. With `agency`, a contact of another agency is not found (False)."""
    contacts = Contact.objects.filter(pk=contact_id)
    if agency is not None:
        contacts = contacts.filter(agency=agency)
    row = contacts.values_list("agency_id", "phone").first()
    if row is None:
        return False
    return _suppress(agency_id=row[0], phone=row[1], by=by, actor=actor)


def _unsuppress(*, phone: str, agency_ids: list | None, actor=None) -> bool:
    suppressions = SuppressedNumber.objects.filter(phone=phone)
    contacts = Contact.objects.filter(phone=phone, opted_out_at__isnull=False)
    if agency_ids is not None:
        suppressions = suppressions.filter(agency_id__in=agency_ids)
        contacts = contacts.filter(agency_id__in=agency_ids)
    changed_agencies = set(suppressions.values_list("agency_id", flat=True)) | set(
        contacts.values_list("agency_id", flat=True)
    )
    removed, _ = suppressions.delete()
    cleared = contacts.update(opted_out_at=None, opted_out_by="", updated_at=timezone.now())
    for agency_id in changed_agencies:
        record_audit(
            agency_id,
            actor,
            "opt_out.changed",
            f"Opted in {phone} again",
            detail={"phone": phone, "opted_out": False},
            target=f"phone:{phone}",
        )
    return bool(removed or cleared)


def opt_in_number(*, phone: str, agency: Agency | None = None) -> bool:
    """Let `agency` call and text `phone` again (START, YES, UNSTOP, staff); True if it was
    suppressed. Without `agency`: every agency."""
    return _unsuppress(phone=phone, agency_ids=None if agency is None else [agency.pk])


def opt_in_contact(*, contact_id, agency: Agency | None = None, actor=None) -> bool:
    """Let the contact be called and texted again (by their agency); True if they were
    opted out."""
    contacts = Contact.objects.filter(pk=contact_id)
    if agency is not None:
        contacts = contacts.filter(agency=agency)
    row = contacts.values_list("agency_id", "phone").first()
    if row is None:
        return False
    return _unsuppress(phone=row[1], agency_ids=[row[0]], actor=actor)


# -- checks: every call, SMS and campaign path asks these ---------------------------------


def suppressed_numbers(phones: Iterable[str], *, agency: Agency | None = None) -> set[str]:
    """The numbers among `phones` that `agency` must not call or text (without `agency`:
    that some agency must not)."""
    phones = set(phones)
    if not phones:
        return set()
    suppressions = SuppressedNumber.objects.filter(phone__in=phones)
    contacts = Contact.objects.filter(opted_out_at__isnull=False)
    if agency is not None:
        suppressions = suppressions.filter(agency=agency)
        contacts = contacts.filter(agency=agency)
    suppressed = set(suppressions.values_list("phone", flat=True))
    # Contacts opted out by a path that wrote only the contact (e.g. an imported opt-out).
    suppressed |= set(
        contacts.filter(phone__in=phones - suppressed).values_list("phone", flat=True)
    )
    return suppressed


def is_suppressed(phone: str, *, agency: Agency | None = None) -> bool:
    """Whether `phone` (E.164) opted out of calls and SMS from `agency`."""
    return bool(phone) and bool(suppressed_numbers([phone], agency=agency))


def apply_suppressions(phones: Iterable[str], *, agency: Agency) -> int:
    """Opt out `agency`'s contacts among `phones` whose number it has suppressed (after a
    bulk insert that bypassed `Contact.save`); returns how many contacts changed."""
    changed = 0
    suppressions = SuppressedNumber.objects.filter(agency=agency, phone__in=set(phones))
    for suppression in suppressions:
        changed += Contact.objects.filter(
            agency=agency, phone=suppression.phone, opted_out_at__isnull=True
        ).update(opted_out_at=suppression.suppressed_at, opted_out_by=suppression.source)
    return changed
