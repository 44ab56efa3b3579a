from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiKey


class ApiKeyPermission(BasePermission):
    """A key is needed for everything; a read-only key may only read."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiKey):
            raise NotAuthenticated("Send an API key as “Authorization: Bearer <key>”.")
        if request.method not in SAFE_METHODS and request.auth.read_only:
            raise PermissionDenied(
                "This API key is read-only. Use a read-and-write key to make changes."
            )
        return True
