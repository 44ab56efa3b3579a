"""What the phone numbers domain does: keep each number in step with its ElevenLabs twin."""

from __future__ import annotations

import logging

from django.db import transaction

from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import forget_called_number
from voqo.events import record_audit
from voqo.providers import ProviderError, TwilioNumberRegistration, credentials_for, get_provider

logger = logging.getLogger(__name__)


def twilio_credentials(number: PhoneNumber) -> tuple[str, str]:
    """(account SID, auth token) of the Twilio account the number lives in: its own when it
    has them, else its agency's, else the install's."""
    if number.twilio_account_sid and number.twilio_auth_token:
        return number.twilio_account_sid, number.twilio_auth_token
    account = credentials_for(number.agency.provider_credentials())
    return account.twilio_account_sid, account.twilio_auth_token


def _agent_id_at_provider(number: PhoneNumber) -> str | None:
    agent = number.agent
    return agent.elevenlabs_agent_id or None if agent is not None else None


def _record_sync(number: PhoneNumber, error: str) -> None:
    number.sync_error = error
    number.save(update_fields=["elevenlabs_phone_number_id", "sync_error", "updated_at"])


def sync_phone_number(number: PhoneNumber) -> bool:
    """Register the number with ElevenLabs when it is not yet, then set its agent there.

    On a provider error the number is kept as it is with `sync_error` set; returns False.
    """
    provider = get_provider(number.agency)
    try:
        if not number.elevenlabs_phone_number_id:
            sid, token = twilio_credentials(number)
            number.elevenlabs_phone_number_id = provider.register_phone_number(
                TwilioNumberRegistration(
                    number=number.number,
                    label=number.label or number.number,
                    account_sid=sid,
                    auth_token=token,
                    supports_inbound=number.direction != PhoneNumber.Direction.OUTBOUND,
                    supports_outbound=number.direction != PhoneNumber.Direction.INBOUND,
                )
            )
        provider.assign_phone_number(
            number.elevenlabs_phone_number_id, _agent_id_at_provider(number)
        )
    except ProviderError as error:
        logger.warning("sync of phone number %s failed: %r", number.id, error)
        _record_sync(number, str(error) or type(error).__name__)
        return False
    _record_sync(number, "")
    return True


def save_phone_number(number: PhoneNumber, *, actor, created: bool) -> bool:
    """Save the number (the only default outbound one of its agency when marked so), then
    sync it to ElevenLabs; returns whether ElevenLabs accepted it."""
    with transaction.atomic():
        number.save()
        if number.default_outbound:
            PhoneNumber.objects.filter(agency=number.agency, default_outbound=True).exclude(
                pk=number.pk
            ).update(default_outbound=False)
    forget_called_number(number.number)
    record_audit(
        number.agency,
        actor,
        "phone_number.added" if created else "phone_number.changed",
        f"{'Added' if created else 'Changed'} phone number {number.number}",
        target=f"phone_number:{number.pk}",
    )
    return sync_phone_number(number)


def delete_phone_number(number: PhoneNumber, *, actor) -> str:
    """Delete the number here and at ElevenLabs. The local delete always happens; returns a
    warning for staff when ElevenLabs could not delete its copy, else ""."""
    warning = ""
    if number.elevenlabs_phone_number_id:
        try:
            get_provider(number.agency).delete_phone_number(number.elevenlabs_phone_number_id)
        except ProviderError as error:
            logger.warning("could not delete phone number %s at the provider: %r", number.id, error)
            warning = (
                f"ElevenLabs could not delete its copy ({error}). Remove "
                f"{number.number} by hand in the ElevenLabs dashboard."
            )
    agency, e164 = number.agency, number.number
    number.delete()
    forget_called_number(e164)
    record_audit(agency, actor, "phone_number.deleted", f"Deleted phone number {e164}")
    return warning


def reassign_numbers_of(agent) -> None:
    """Tell ElevenLabs again which agent answers each of `agent`'s numbers (after its first
    sync gave it an ElevenLabs id)."""
    for number in PhoneNumber.objects.filter(agent=agent).exclude(elevenlabs_phone_number_id=""):
        sync_phone_number(number)
        forget_called_number(number.number)
