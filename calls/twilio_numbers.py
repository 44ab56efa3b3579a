"""Which Twilio account and which agencies a number belongs to, for Twilio's webhooks.

Twilio signs each webhook with the auth token of the account that owns the number, so the
token is found from the number: the number's own credentials (a number kept in another
Twilio account), else its agency's own Twilio account, else the install's environment. A
number Voqo does not list as anyone's is the install's number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from agencies.models import Agency, ProviderAccount
from calls.ownership import install_agency
from phone_numbers.models import PhoneNumber
from voqo.crypto import is_undecryptable


@dataclass(frozen=True)
class NumberOwner:
    """Who a Twilio number serves, and the token Twilio signs its webhooks with ("" when
    no token is known or the stored one cannot be decrypted: nothing is accepted then)."""

    agencies: list[Agency]
    auth_token: str


def _readable(token) -> str:
    return "" if is_undecryptable(token) else (token or "")


def owner_of_number(number: str) -> NumberOwner:
    """The agencies that text from `number` (E.164) and the auth token of its account."""
    listed = PhoneNumber.objects.select_related("agency").filter(number=number).first()
    if listed is not None:
        if listed.twilio_account_sid:
            return NumberOwner([listed.agency], _readable(listed.twilio_auth_token))
        return NumberOwner([listed.agency], _agency_token(listed.agency_id))
    account = (
        ProviderAccount.objects.select_related("agency").filter(twilio_phone_number=number).first()
    )
    if account is not None:
        token = (
            _readable(account.twilio_auth_token)
            if account.twilio_account_sid
            else settings.TWILIO_AUTH_TOKEN
        )
        return NumberOwner([account.agency], token)
    return NumberOwner(install_sender_agencies(), settings.TWILIO_AUTH_TOKEN)


def _agency_token(agency_id) -> str:
    account = ProviderAccount.objects.filter(agency_id=agency_id).first()
    if account is not None and account.twilio_account_sid:
        return _readable(account.twilio_auth_token)
    return settings.TWILIO_AUTH_TOKEN


def install_sender_agencies() -> list[Agency]:
    """The agencies whose SMS go out from the install's number (they brought no sender of
    their own); the install's first agency when every agency has its own."""
    agencies = list(
        Agency.objects.exclude(provider_account__twilio_phone_number__gt="").order_by("created_at")
    )
    return agencies or [install_agency()]
