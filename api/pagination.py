"""Cursor pages for every list: newest first by (created_at, id), never OFFSET or COUNT.

A page is `{"data": [...], "has_more": bool, "next_cursor": str | null}`; pass
`?cursor=<next_cursor>` for the next one and `?limit=` (1–100, default 50) for its size.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def encode_cursor(row) -> str:
    raw = f"{row.created_at.isoformat()}~{row.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, object]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, pk = raw.partition("~")
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed, (uuid.UUID(pk) if "-" in pk else int(pk))
    except ValueError:
        raise ValidationError({"cursor": "That cursor is not one this API gave out."}) from None


class KeysetPagination(BasePagination):
    def _limit(self, request) -> int:
        raw = request.query_params.get("limit", "")
        if not raw:
            return DEFAULT_LIMIT
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise ValidationError({"limit": f"Give a whole number from 1 to {MAX_LIMIT}."})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        limit = self._limit(request)
        cursor = request.query_params.get("cursor", "")
        if cursor:
            moment, pk = decode_cursor(cursor)
            queryset = queryset.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
        rows = list(queryset.order_by("-created_at", "-pk")[: limit + 1])
        self.has_more = len(rows) > limit
        rows = rows[:limit]
        self.next_cursor = encode_cursor(rows[-1]) if rows and self.has_more else None
        return rows

    def get_paginated_response(self, data):
        return Response({"data": data, "has_more": self.has_more, "next_cursor": self.next_cursor})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "has_more", "next_cursor"],
            "properties": {
                "data": schema,
                "has_more": {"type": "boolean"},
                "next_cursor": {"type": "string", "nullable": True},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "The `next_cursor` of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
        ]
