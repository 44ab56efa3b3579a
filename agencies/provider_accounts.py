"""An agency's own ElevenLabs workspace and Twilio account: saving them, testing them, and
the keys its provider-facing URLs are checked with.

Blank values fall back to the install's environment (voqo.providers.credentials_for). The
keys webhooks are verified with are kept in this process for a minute, so the initiation
webhook (answered while the caller hears ringing) pays no query for them; a change made in
this process is seen at once, one made in another process within a minute.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from agencies.models import Agency, ProviderAccount
from voqo.crypto import is_undecryptable
from voqo.events import record_audit
from voqo.providers import ConnectionCheck, ProviderError, get_provider

SERVICES = ("elevenlabs", "twilio")
WEBHOOK_KEYS_SECONDS = 60
_WEBHOOK_KEYS_MAX = 1000  # agencies kept at once; beyond that the cache starts again


@transaction.atomic
def save_provider_accounts(
    *, agency: Agency, values: dict[str, Any], cleared: tuple[str, ...] = (), actor=None
) -> ProviderAccount:
    """Store the agency's accounts. A blank secret keeps the stored one (secrets are
    replace-only); the secrets named in `cleared` are removed, falling back to the install's.
    ValidationError for a Twilio SID without its token or the other way round."""
    account = ProviderAccount.objects.filter(agency=agency).first() or ProviderAccount(
        agency=agency
    )
    changed = []
    for name, value in values.items():
        value = (value or "").strip()
        if name in ProviderAccount.SECRET_FIELDS and not value:
            continue  # blank: keep what is stored
        if name in ProviderAccount.SECRET_FIELDS or getattr(account, name) != value:
            changed.append(name)
        setattr(account, name, value)
    for name in cleared:
        if name not in ProviderAccount.SECRET_FIELDS:
            raise ValueError(f"{name!r} is not a secret of a provider account")
        setattr(account, name, "")
        changed.append(name)
    if account.twilio_account_sid and not account.twilio_auth_token:
        raise ValidationError("A Twilio account SID needs its auth token.")
    if account.twilio_auth_token and not account.twilio_account_sid:
        raise ValidationError("A Twilio auth token needs its account SID.")
    account.save()
    if changed:
        # Which fields changed, never their values.
        record_audit(
            agency,
            actor,
            "agency.provider_accounts_changed",
            f"Provider accounts changed: {', '.join(sorted(set(changed)))}.",
            detail={"fields": sorted(set(changed))},
            target=f"agency:{agency.pk}",
        )
    return account


def test_connection(*, agency: Agency, service: str) -> ConnectionCheck:
    """Ask one provider, with the agency's accounts (the install's where it has none),
    whether the keys and number work. Read-only; never raises for a provider's refusal."""
    if service not in SERVICES:
        raise ValueError(f"Unknown service {service!r}")
    try:
        checks = get_provider(agency).check_connection()
    except ProviderError as error:  # secrets that cannot be decrypted
        return ConnectionCheck(service, False, error.message)
    return next(check for check in checks if check.service == service)


def webhook_urls(agency: Agency) -> dict[str, str]:
    """The agency's own provider-facing URLs, as ElevenLabs and Twilio reach them."""
    base = settings.PUBLIC_BASE_URL
    return {
        "post_call": base + reverse("agency_elevenlabs_post_call", args=[agency.pk]),
        "initiation": base + reverse("agency_elevenlabs_initiation", args=[agency.pk]),
        "twilio_sms": base + reverse("twilio_sms"),
        "twilio_sms_status": base + reverse("twilio_sms_status"),
    }


# -- the keys an agency's webhooks are checked with -----------------------------------------


@dataclass(frozen=True)
class WebhookKeys:
    """The agency an agency webhook URL names (its name and zone for the answer) and the
    secrets it brought: blank ones mean the environment's (read at use), None one that no
    configured encryption key decrypts (nothing is accepted then, not even the install's)."""

    agency: Agency
    post_call_secret: str | None
    initiation_token: str | None

    def post_call_secret_or_install(self) -> str:
        if self.post_call_secret is None:
            return ""
        return self.post_call_secret or settings.ELEVENLABS_WEBHOOK_SECRET

    def initiation_token_or_install(self) -> str:
        if self.initiation_token is None:
            return ""
        return self.initiation_token or settings.ELEVENLABS_INITIATION_TOKEN


_webhook_keys: dict[str, tuple[float, WebhookKeys]] = {}


def webhook_keys(agency_id) -> WebhookKeys | None:
    """The keys of the agency with this id, or None when there is none (see the module
    docstring for how long they are kept)."""
    key = str(agency_id)
    now = time.monotonic()
    kept = _webhook_keys.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    agency = Agency.objects.select_related("provider_account").filter(pk=agency_id).first()
    if agency is None:
        return None  # not kept: unknown ids must not fill the cache
    account = getattr(agency, "provider_account", None)
    secret = account.elevenlabs_webhook_secret if account else ""
    token = account.elevenlabs_initiation_token if account else ""
    keys = WebhookKeys(
        agency=agency,
        post_call_secret=None if is_undecryptable(secret) else secret,
        initiation_token=None if is_undecryptable(token) else token,
    )
    if len(_webhook_keys) >= _WEBHOOK_KEYS_MAX:
        _webhook_keys.clear()
    _webhook_keys[key] = (now + WEBHOOK_KEYS_SECONDS, keys)
    return keys


def forget_webhook_keys(agency_id) -> None:
    """Drop this process's copy of an agency's webhook keys (after they or it changed)."""
    _webhook_keys.pop(str(agency_id), None)


def bearer_token_matches(authorization: str, expected: str) -> bool:
    """Whether an `Authorization: Bearer <token>` header carries `expected` (constant time);
    never for an empty `expected`."""
    scheme, _, token = (authorization or "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())
