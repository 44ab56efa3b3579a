"""The contacts domain's announcements (outgoing webhooks): `contact.created` for every
contact saved one at a time (staff, API, a call from a new number; a bulk import announces
nothing, so a 100k-row file does not send 100k events), `contact.opted_out` from the
opt-out writer."""

from __future__ import annotations

from contacts.models import Contact
from voqo.events import announce


def contact_event_data(contact: Contact) -> dict:
    """The contact as events carry it (JSON-ready)."""
    return {
        "id": str(contact.pk),
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "tags": list(contact.tags or []),
        "state": contact.state,
        "opted_out_at": contact.opted_out_at.isoformat() if contact.opted_out_at else None,
        "opted_out_by": contact.opted_out_by,
    }


def announce_created_contact(sender, instance: Contact, created: bool, raw=False, **kwargs):
    """post_save receiver: a new contact is a `contact.created` event."""
    if created and not raw:
        announce(instance.agency, "contact.created", contact_event_data(instance))


def announce_opted_out(contact_ids) -> None:
    """`contact.opted_out` for each of these contacts (just opted out)."""
    for contact in Contact.objects.filter(pk__in=list(contact_ids)).select_related("agency"):
        announce(contact.agency, "contact.opted_out", contact_event_data(contact))
