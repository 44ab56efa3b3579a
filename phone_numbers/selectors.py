"""Which of an agency's numbers answer calls and which it may call from."""

from __future__ import annotations

from django.db.models import QuerySet

from phone_numbers.models import PhoneNumber

INBOUND = (PhoneNumber.Direction.INBOUND, PhoneNumber.Direction.BOTH)
OUTBOUND = (PhoneNumber.Direction.OUTBOUND, PhoneNumber.Direction.BOTH)


def inbound_numbers(agency) -> QuerySet[PhoneNumber]:
    """The agency's active numbers that answer calls."""
    return PhoneNumber.objects.filter(agency=agency, active=True, direction__in=INBOUND)


def outbound_numbers(agency) -> QuerySet[PhoneNumber]:
    """The agency's active numbers it may place calls from, its default first."""
    return PhoneNumber.objects.filter(agency=agency, active=True, direction__in=OUTBOUND).order_by(
        "-default_outbound", "number"
    )


def number_called(e164: str) -> PhoneNumber | None:
    """The active number an inbound call was made to, with its agency and agent, or None."""
    return (
        PhoneNumber.objects.select_related("agency", "agent")
        .filter(number=e164, active=True, direction__in=INBOUND)
        .first()
    )
