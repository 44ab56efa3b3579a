"""The one writer of a contact's opt-out: staff buttons, STOP/START replies and Twilio's
"unsubscribed recipient" error all come here."""

from __future__ import annotations

from django.utils import timezone

from contacts.models import Contact


def opt_out_contact(*, contact_id, by: str) -> bool:
    """Stop all SMS and campaign calls to the contact; True if this opted them out.

    An opted-out contact keeps the time and source of its first opt-out.
    """
    now = timezone.now()
    return bool(
        Contact.objects.filter(pk=contact_id, opted_out_at__isnull=True).update(
            opted_out_at=now, opted_out_by=by[:150], updated_at=now
        )
    )


def opt_in_contact(*, contact_id) -> bool:
    """Let the contact be called and texted again; True if they were opted out."""
    return bool(
        Contact.objects.filter(pk=contact_id, opted_out_at__isnull=False).update(
            opted_out_at=None, opted_out_by="", updated_at=timezone.now()
        )
    )
