"""Secrets at rest: Fernet tokens over `settings.FIELD_ENCRYPTION_KEYS`.

The first key encrypts, every key decrypts (rotation: put a new key first, run
`manage.py rotate_secrets`, then drop the old key). Keys are independent of SECRET_KEY, so
rotating one never locks the other's data away (PITFALLS.md, "Secrets").
"""

from __future__ import annotations

import functools
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

GENERATE_KEY_COMMAND = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class SecretDecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key (the key was removed)."""


def configured_keys() -> tuple[str, ...]:
    """The configured keys, newest first; accepts a list or a comma-separated string."""
    raw = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ()
    if isinstance(raw, str):
        raw = raw.split(",")
    return tuple(str(key).strip() for key in raw if str(key).strip())


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def get_fernet() -> MultiFernet:
    """The MultiFernet for the configured keys; ImproperlyConfigured without a valid key."""
    keys = configured_keys()
    if not keys:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS is empty. Generate a key with: {GENERATE_KEY_COMMAND}"
        )
    try:
        return _multi_fernet(keys)
    except (ValueError, TypeError):
        # Never echo the key itself: the message may reach logs.
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds an invalid Fernet key. "
            f"Generate a key with: {GENERATE_KEY_COMMAND}"
        ) from None


def encrypt_text(plaintext: str) -> str:
    """A Fernet token (text) for `plaintext`, made with the newest key."""
    return get_fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """The plaintext of a token made with any configured key."""
    try:
        return get_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise SecretDecryptionError(
            "A stored secret could not be decrypted with any key in FIELD_ENCRYPTION_KEYS "
            "(was a key removed before running rotate_secrets?)."
        ) from None


class UndecryptableSecret:
    """Stands for a stored secret that no configured key decrypts (a key was removed).

    Loading a row never fails because of it, so pages and the admin keep working and can say
    which secret needs re-entering; saving the row writes the stored token back unchanged, so
    restoring the old key still recovers it.
    """

    def __init__(self, token: str):
        self.token = token

    def __repr__(self) -> str:
        return "<UndecryptableSecret>"


def is_undecryptable(value: Any) -> bool:
    return isinstance(value, UndecryptableSecret)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. An empty value is stored as "" (nothing to hide).

    A token no configured key decrypts loads as an `UndecryptableSecret`.
    Lookups against the column are meaningless (each encryption differs); read, never filter.
    """

    description = "Text encrypted at rest (Fernet)"

    def empty_value(self) -> Any:
        return ""

    def serialize_plaintext(self, value: Any) -> str:
        return "" if value is None else str(value)

    def deserialize_plaintext(self, plaintext: str) -> Any:
        return plaintext

    def from_db_value(self, value, expression, connection):
        if not value:
            return self.empty_value()
        try:
            return self.deserialize_plaintext(decrypt_text(value))
        except SecretDecryptionError:
            return UndecryptableSecret(value)

    def get_prep_value(self, value):
        if isinstance(value, UndecryptableSecret):
            return value.token
        plaintext = self.serialize_plaintext(value)
        return encrypt_text(plaintext) if plaintext else ""

    def to_python(self, value):
        return value


class EncryptedJSONField(EncryptedTextField):
    """A JSON object stored encrypted; `{}` is stored as ""."""

    description = "JSON encrypted at rest (Fernet)"

    def empty_value(self) -> Any:
        return {}

    def serialize_plaintext(self, value: Any) -> str:
        if value in (None, "", {}):
            return ""
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    def deserialize_plaintext(self, plaintext: str) -> Any:
        return json.loads(plaintext)

    def to_python(self, value):
        if isinstance(value, UndecryptableSecret):
            return value
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value


def check_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: secrets at rest need at least one valid Fernet key."""
    hint = (
        f"Generate a key with: {GENERATE_KEY_COMMAND} and set FIELD_ENCRYPTION_KEYS=<key> "
        "in the environment (several keys comma-separated, newest first)."
    )
    keys = configured_keys()
    if not keys:
        return [
            checks.Error(
                "FIELD_ENCRYPTION_KEYS is empty: custom-function secrets cannot be encrypted.",
                hint=hint,
                id="voqo.E101",
            )
        ]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"FIELD_ENCRYPTION_KEYS key #{position} is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                    hint=hint,
                    id="voqo.E102",
                )
            )
    return errors
