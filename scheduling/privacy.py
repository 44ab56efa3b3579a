"""A forgotten contact's scheduled calls, and what an access request shows of them
(retention.forgetting's signals).

A call not yet placed is cancelled (nobody may call a person who asked to be forgotten on a
schedule made before); every row keeps when and how it went, without their number, the
values sent to the agent or the prompt written for them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from scheduling.models import ScheduledCall

FORGOTTEN = "Cancelled: the person was forgotten."


def _scheduled_calls_of(contact):
    return ScheduledCall.objects.filter(agency_id=contact.agency_id).filter(
        Q(contact=contact) | Q(phone=contact.phone)
    )


def on_contact_forgetting(sender, contact, **kwargs: Any) -> None:
    rows = ScheduledCall.objects.filter(
        pk__in=list(_scheduled_calls_of(contact).values_list("pk", flat=True))
    )
    rows.filter(status=ScheduledCall.Status.PENDING).update(
        status=ScheduledCall.Status.CANCELLED, failure_reason=FORGOTTEN
    )
    rows.update(phone="", contact=None, dynamic_variables={}, prompt_text="")


def export_sections(sender, contact, **kwargs: Any) -> dict[str, Any]:
    """Their scheduled calls: when, to which number, with what, and how each went."""
    return {
        "scheduled_calls": [
            {
                "scheduled_at": row.scheduled_at,
                "phone": row.phone,
                "status": row.status,
                "dynamic_variables": row.dynamic_variables,
                "call_id": row.call_id,
                "created_at": row.created_at,
            }
            for row in _scheduled_calls_of(contact).order_by("scheduled_at")
        ]
    }
