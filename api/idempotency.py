"""`Idempotency-Key` on POST: the same key within 24 hours gets the first answer again and
nothing is done twice. The key is claimed (a unique row) before the request is handled, so
two concurrent requests with one key run it once: the second is told it is in progress."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.errors import ApiError
from api.keys import IDEMPOTENCY_KEY_LIFETIME
from api.models import ApiKey, IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class Replay(Exception):
    """The request was answered before: `response` is that answer."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _request_hash(request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request._request.body)
    return digest.hexdigest()


def claim(request, api_key: ApiKey) -> IdempotencyKey | None:
    """The new record for this request's key, None without a key; raises Replay for a key
    already answered, ApiError for a key in progress or reused for another request."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            f"An {HEADER} is at most {MAX_KEY_LENGTH} characters.",
            code="invalid_idempotency_key",
            status=400,
        )
    request_hash = _request_hash(request)
    now = timezone.now()
    IdempotencyKey.objects.filter(api_key=api_key, key=key, expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                api_key=api_key,
                key=key,
                method=request.method,
                path=request.path[:500],
                request_hash=request_hash,
                expires_at=now + IDEMPOTENCY_KEY_LIFETIME,
            )
    except IntegrityError:
        pass
    earlier = IdempotencyKey.objects.filter(api_key=api_key, key=key).first()
    if earlier is None:  # expired and purged in between: a fresh start
        return claim(request, api_key)
    if earlier.request_hash != request_hash:
        raise ApiError(
            f"This {HEADER} was used for a different request in the last 24 hours. "
            "Use a new key for a new request.",
            code="idempotency_key_reused",
            status=422,
        )
    if earlier.status_code is None:
        raise ApiError(
            "The first request with this Idempotency-Key is still being answered. "
            "Try again in a moment.",
            code="idempotency_key_in_progress",
            status=409,
        )
    response = Response(earlier.response_body, status=earlier.status_code)
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def remember(record: IdempotencyKey, response: Response) -> None:
    """Keep the answer for replays; a server error frees the key for a retry instead."""
    if response.status_code >= 500:
        release(record)
        return
    body = json.loads(json.dumps(getattr(response, "data", None), cls=JSONEncoder))
    IdempotencyKey.objects.filter(pk=record.pk).update(
        status_code=response.status_code, response_body=body
    )


def release(record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk).delete()
