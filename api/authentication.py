"""`Authorization: Bearer <key>` for /api/v1/: an unknown or revoked key is a 401."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api import keys
from api.models import ApiKey


class ApiClient:
    """The caller behind a key: authenticated, never a person (no login, no roles)."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}…"

    def get_username(self) -> str:
        return f"API key “{self.api_key.name}”"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise AuthenticationFailed("Send the key as “Authorization: Bearer <key>”.")
        api_key = keys.key_for_secret(secret)
        if api_key is None:
            raise AuthenticationFailed("That API key is not known. Check it was copied whole.")
        if api_key.is_revoked:
            raise AuthenticationFailed("That API key was revoked. Ask an owner for a new one.")
        keys.note_use(api_key)
        return ApiClient(api_key), api_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="voqo"'
