"""Making, finding and revoking API keys, and the idempotency records of their POSTs."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from agencies.models import Agency
from api.models import ApiKey, IdempotencyKey
from voqo.events import record_audit

KEY_PREFIX = "voqo_"
# last_used_at is written at most this often per key, not on every request.
LAST_USE_PRECISION = timedelta(minutes=1)
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class NewApiKey:
    api_key: ApiKey
    secret: str  # the whole key: shown once, never stored


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(*, agency: Agency, name: str, read_only: bool = False, by=None) -> NewApiKey:
    """Make a key for `agency`; the returned secret is the only time the key is seen."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        agency=agency,
        name=name.strip()[:100],
        read_only=read_only,
        prefix=secret[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(secret),
        created_by=by if getattr(by, "pk", None) else None,
    )
    record_audit(
        agency,
        by,
        "api_key.created",
        f"API key “{api_key.name}” ({api_key.access_label.lower()}) created",
        detail={"prefix": api_key.prefix, "read_only": read_only},
        target=f"api_key:{api_key.pk}",
    )
    return NewApiKey(api_key=api_key, secret=secret)


def revoke_api_key(*, api_key: ApiKey, by=None) -> bool:
    """Stop the key working at once; True if this revoked it."""
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        api_key.refresh_from_db(fields=["revoked_at"])
        record_audit(
            api_key.agency,
            by,
            "api_key.revoked",
            f"API key “{api_key.name}” revoked",
            detail={"prefix": api_key.prefix},
            target=f"api_key:{api_key.pk}",
        )
    return bool(revoked)


def key_for_secret(secret: str) -> ApiKey | None:
    """The key `secret` is, revoked or not, with its agency; None for an unknown key."""
    if not secret.startswith(KEY_PREFIX):
        return None
    return ApiKey.objects.select_related("agency").filter(key_hash=hash_key(secret)).first()


def note_use(api_key: ApiKey) -> None:
    """Remember that the key was just used (at most one write a minute per key)."""
    now = timezone.now()
    if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USE_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def purge_expired_idempotency_keys(now=None) -> int:
    """Delete idempotency records older than their 24 hours; returns how many went."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
