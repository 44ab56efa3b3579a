"""The one writer of opt-outs and opt-ins: staff buttons, STOP/START replies and Twilio's
"unsubscribed recipient" error all come here.

An opt-out is kept by number (SuppressedNumber) as well as on the contact, so a number that
said STOP before it was a contact stays suppressed; a contact created later for that number
starts opted out (Contact.save, and `apply_suppressions` after a bulk import).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.models import Contact, SuppressedNumber


def opt_out_number(*, phone: str, by: str) -> bool:
    """Stop all calls and SMS to `phone` (E.164), a contact's or not; True if this did it.

    A number keeps the time and source of its first opt-out.
    """
    now = timezone.now()
    suppression = SuppressedNumber.objects.filter(phone=phone).first()
    created = False
    if suppression is None:
        try:
            with transaction.atomic():
                suppression = SuppressedNumber.objects.create(
                    phone=phone, suppressed_at=now, source=by[:150]
                )
                created = True
        except IntegrityError:  # a concurrent opt-out of the same number won
            suppression = SuppressedNumber.objects.get(phone=phone)
    updated = Contact.objects.filter(phone=phone, opted_out_at__isnull=True).update(
        opted_out_at=suppression.suppressed_at, opted_out_by=suppression.source, updated_at=now
    )
    return created or bool(updated)


def opt_out_contact(*, contact_id, by: str) -> bool:
    """Stop all SMS and calls to the contact's number; True if this opted them out."""
    phone = Contact.objects.filter(pk=contact_id).values_list("phone", flat=True).first()
    if phone is None:
        return False
    return opt_out_number(phone=phone, by=by)


def opt_in_number(*, phone: str) -> bool:
    """Let `phone` be called and texted again (START, YES, UNSTOP, staff); True if it was
    suppressed."""
    removed, _ = SuppressedNumber.objects.filter(phone=phone).delete()
    cleared = Contact.objects.filter(phone=phone, opted_out_at__isnull=False).update(
        opted_out_at=None, opted_out_by="", updated_at=timezone.now()
    )
    return bool(removed or cleared)


def opt_in_contact(*, contact_id) -> bool:
    """Let the contact be called and texted again; True if they were opted out."""
    phone = Contact.objects.filter(pk=contact_id).values_list("phone", flat=True).first()
    return opt_in_number(phone=phone) if phone is not None else False


# -- checks: every call, SMS and campaign path asks these ---------------------------------


def suppressed_numbers(phones: Iterable[str]) -> set[str]:
    """The numbers among `phones` that must not be called or texted."""
    phones = set(phones)
    if not phones:
        return set()
    suppressed = set(
        SuppressedNumber.objects.filter(phone__in=phones).values_list("phone", flat=True)
    )
    # Contacts opted out by a path that wrote only the contact (e.g. an imported opt-out).
    suppressed |= set(
        Contact.objects.filter(
            phone__in=phones - suppressed, opted_out_at__isnull=False
        ).values_list("phone", flat=True)
    )
    return suppressed


def is_suppressed(phone: str) -> bool:
    """Whether `phone` (E.164) opted out of calls and SMS."""
    return bool(phone) and bool(suppressed_numbers([phone]))


def apply_suppressions(phones: Iterable[str]) -> int:
    """Opt out the contacts among `phones` whose number is suppressed (after a bulk insert
    that bypassed `Contact.save`); returns how many contacts changed."""
    changed = 0
    for suppression in SuppressedNumber.objects.filter(phone__in=set(phones)):
        changed += Contact.objects.filter(
            phone=suppression.phone, opted_out_at__isnull=True
        ).update(opted_out_at=suppression.suppressed_at, opted_out_by=suppression.source)
    return changed
