"""Which of an agency's numbers answer calls and which it may call from."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from phone_numbers.models import PhoneNumber

INBOUND = (PhoneNumber.Direction.INBOUND, PhoneNumber.Direction.BOTH)
OUTBOUND = (PhoneNumber.Direction.OUTBOUND, PhoneNumber.Direction.BOTH)
# The initiation webhook must answer within milliseconds: who a number belongs to is cached
# like the agent profile is; a change made here clears it (forget_called_number).
CALLED_NUMBER_CACHE_SECONDS = 60


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


def called_number_cache_key(e164: str) -> str:
    """The cache key of `e164`'s profile, for a caller that reads several keys at once."""
    return f"voqo:initiation-number:{e164}"


_UNREAD = object()


def called_number_profile(e164: str, cached: object = _UNREAD) -> dict | None:
    """Who answers calls to `e164` (cached): {"agency": Agency, "agent": {name,
    greeting_message, enabled, elevenlabs_agent_id} or None}, or None for a number no
    agency answers on. `cached`: the cache's value for the key, already read (None: absent)."""
    if not e164:
        return None
    key = called_number_cache_key(e164)
    profile = cache.get(key) if cached is _UNREAD else cached
    if profile is None:
        number = number_called(e164)
        profile = {}
        if number is not None:
            agent = number.agent
            profile = {
                "agency": number.agency,
                "agent": None
                if agent is None
                else {
                    "name": agent.name,
                    "greeting_message": agent.greeting_message,
                    "enabled": agent.enabled,
                    "agency_id": agent.agency_id,
                    "elevenlabs_agent_id": agent.elevenlabs_agent_id,
                },
            }
        cache.set(key, profile, CALLED_NUMBER_CACHE_SECONDS)
    return profile or None


def forget_called_number(e164: str) -> None:
    """Drop the cached profile of `e164` after its row changed."""
    cache.delete(called_number_cache_key(e164))


def forget_numbers_of(agent) -> None:
    """Drop the cached profiles of the numbers `agent` answers (its name, greeting or
    enabled flag changed, or it is about to be deleted)."""
    cache.delete_many(
        [
            called_number_cache_key(e164)
            for e164 in PhoneNumber.objects.filter(agent=agent).values_list("number", flat=True)
        ]
    )


class NoCallerId(Exception):
    """The agency has no number it may call from (nothing was dialled)."""


def caller_id_for(agency, chosen: PhoneNumber | None = None) -> PhoneNumber | None:
    """The number a call of `agency` goes out from: `chosen` when it is one of the agency's
    active outbound numbers, else the agency's default (or first) outbound number.

    None means the install's own number (TWILIO_PHONE_NUMBER / ELEVENLABS_PHONE_NUMBER_ID),
    allowed only while no other agency has registered that number. Raises NoCallerId when
    `chosen` cannot be used or the install's number is another agency's.
    """
    if chosen is not None:
        if chosen.agency_id != agency.pk or not chosen.places_calls:
            raise NoCallerId(
                f"{chosen.number} is not an active outbound number of {agency.name}: "
                "choose another on the Phone numbers page."
            )
        return chosen
    number = outbound_numbers(agency).first()
    if number is not None:
        return number
    install_number = settings.TWILIO_PHONE_NUMBER
    if (
        install_number
        and PhoneNumber.objects.filter(number=install_number).exclude(agency=agency).exists()
    ):
        raise NoCallerId(
            f"{agency.name} has no outbound phone number. Add one on the Phone numbers page "
            "before placing calls."
        )
    return None
