"""One error shape for every API answer that is not a success:
`{"error": {"code": "...", "message": "...", "field": "..." | null}}`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

CODES = {
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.AuthenticationFailed: "unauthenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ParseError: "invalid_json",
}


class ApiError(exceptions.APIException):
    """An error with our own code, status and (optionally) field: e.g. a refused call."""

    def __init__(self, message: str, *, code: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.status_code = status
        self.error_code = code
        self.field = field


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def _first_error(detail, prefix: str = "") -> tuple[str | None, str, str]:
    """(field, message, code) of the first problem in a ValidationError's detail."""
    if isinstance(detail, dict):
        for name, inner in detail.items():
            field = name if name != "non_field_errors" else None
            if prefix and field:
                field = f"{prefix}.{field}"
            found_field, message, code = _first_error(inner, field or prefix)
            return found_field if found_field is not None else field, message, code
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], prefix)
    return (prefix or None), str(detail), getattr(detail, "code", "invalid") or "invalid"


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found. It may belong to another agency or be deleted.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, str(exc.detail), exc.field)
    elif isinstance(exc, exceptions.ValidationError):
        field, message, _code = _first_error(exc.detail)
        body = error_body("invalid_request", message, field)
    else:
        code = next((name for kind, name in CODES.items() if isinstance(exc, kind)), "error")
        body = error_body(code, str(exc.detail))
    return Response(body, status=response.status_code, headers=_kept_headers(response))


def _kept_headers(response: Response) -> dict:
    return {
        name: response[name]
        for name in ("WWW-Authenticate", "Retry-After", "Allow")
        if response.has_header(name)
    }


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown addresses under /api/v1/ answer in the API's error shape, not an HTML page."""
    message = f"There is no API endpoint at {request.path}."
    if request.path.endswith("/") and request.path.rstrip("/") != "/api/v1":
        message += f" API addresses have no trailing slash: try {request.path.rstrip('/')}."
    message += " The reference is at /api/v1/docs."
    return JsonResponse(error_body("not_found", message), status=404)
