"""The one writer of opt-outs and opt-ins: staff buttons, STOP/START replies and Twilio's
"unsubscribed recipient" error all come here.

An opt-out is kept by number (SuppressedNumber) as well as on the contact, so a number that
said STOP before it was a contact stays suppressed; a contact created later for that number
starts opted out (Contact.save, and `apply_suppressions` after a bulk import).

Everything here is per agency: a STOP to agency A's number suppresses the sender for A only.
Every function takes the agency it acts for.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from contacts.events import announce_opted_out
from contacts.models import Contact, SuppressedNumber
from voqo.events import record_audit


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
    opting_out = Contact.objects.filter(agency_id=agency_id, phone=phone, opted_out_at__isnull=True)
    contact_ids = list(opting_out.values_list("pk", flat=True))
    updated = opting_out.update(
        opted_out_at=suppression.suppressed_at, opted_out_by=suppression.source, updated_at=now
    )
    if updated:
        announce_opted_out(contact_ids)
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


def opt_out_number(*, phone: str, by: str, agency: Agency) -> bool:
    """Stop all calls and SMS from `agency` to `phone` (E.164), a contact's or not; True if
    this did it. A number keeps the time and source of its first opt-out."""
    return _suppress(agency_id=agency.pk, phone=phone, by=by)


def opt_out_contact(*, contact_id, by: str, agency: Agency, actor=None) -> bool:
    """Stop all SMS and calls from `agency` to its contact's number; True if this opted them
    out. A contact of another agency is not found (False)."""
    row = Contact.objects.filter(pk=contact_id, agency=agency).values_list("agency_id", "phone")
    row = row.first()
    if row is None:
        return False
    return _suppress(agency_id=row[0], phone=row[1], by=by, actor=actor)


def _unsuppress(*, phone: str, agency_id, actor=None) -> bool:
    suppressions = SuppressedNumber.objects.filter(phone=phone, agency_id=agency_id)
    contacts = Contact.objects.filter(phone=phone, agency_id=agency_id, opted_out_at__isnull=False)
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


def opt_in_number(*, phone: str, agency: Agency) -> bool:
    """Let `agency` call and text `phone` again (START, YES, UNSTOP, staff); True if it was
    suppressed."""
    return _unsuppress(phone=phone, agency_id=agency.pk)


def opt_in_contact(*, contact_id, agency: Agency, actor=None) -> bool:
    """Let `agency` call and text its contact again; True if they were opted out. A contact
    of another agency is not found (False)."""
    row = Contact.objects.filter(pk=contact_id, agency=agency).values_list("agency_id", "phone")
    row = row.first()
    if row is None:
        return False
    return _unsuppress(phone=row[1], agency_id=row[0], actor=actor)


# -- checks: every call, SMS and campaign path asks these ---------------------------------


def suppressed_numbers(phones: Iterable[str], *, agency: Agency) -> set[str]:
    """The numbers among `phones` that `agency` must not call or text."""
    phones = set(phones)
    if not phones:
        return set()
    suppressions = SuppressedNumber.objects.filter(phone__in=phones, agency=agency).order_by()
    # Contacts opted out by a path that wrote only the contact (e.g. an imported opt-out).
    contacts = Contact.objects.filter(
        opted_out_at__isnull=False, agency=agency, phone__in=phones
    ).order_by()
    # One query for both lists (a union allows no ORDER BY): every dial and claim asks.
    return set(
        suppressions.values_list("phone", flat=True).union(contacts.values_list("phone", flat=True))
    )


def is_suppressed(phone: str, *, agency: Agency) -> bool:
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
