"""Which accounts a provider client acts with: an agency's own, completed from the install's
environment."""

from __future__ import annotations

from django.conf import settings

from .base import ProviderCredentials

# Which environment variable each credential falls back to when an agency brings none.
CREDENTIAL_SETTINGS = {
    "elevenlabs_api_key": "ELEVENLABS_API_KEY",
    "elevenlabs_phone_number_id": "ELEVENLABS_PHONE_NUMBER_ID",
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_phone_number": "TWILIO_PHONE_NUMBER",
}


def credentials_for(own: ProviderCredentials | None) -> ProviderCredentials:
    """`own` (an agency's accounts) completed from the environment, field by field; the
    Twilio SID and auth token only as a pair (one account's token never signs for another)."""
    own = own or ProviderCredentials()
    values = {
        field: getattr(own, field) or getattr(settings, name, "") or ""
        for field, name in CREDENTIAL_SETTINGS.items()
    }
    if own.twilio_account_sid:
        values["twilio_auth_token"] = own.twilio_auth_token
    else:
        values["twilio_auth_token"] = getattr(settings, "TWILIO_AUTH_TOKEN", "") or ""
    taken = frozenset(field for field in CREDENTIAL_SETTINGS if getattr(own, field))
    return ProviderCredentials(**values, own=taken)
