"""A forgotten contact's SMS conversation (retention.forgetting's `contact_forgetting`).

Forgetting erases the messages' text and numbers; the conversation row keeps their number
and a preview of the last message, so it goes too. SMS templates are the agency's own
wording, not anyone's personal information, and stay.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from messages.models import Thread


def on_contact_forgetting(sender, contact, **kwargs: Any) -> None:
    Thread.objects.filter(agency_id=contact.agency_id).filter(
        Q(contact=contact) | Q(phone=contact.phone)
    ).delete()
