"""Writing the audit trail: the listener of `voqo.events.audit_event`, and logins."""

from __future__ import annotations

import logging
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditEntry

logger = logging.getLogger(__name__)

SUMMARY_MAX = AuditEntry._meta.get_field("summary").max_length


def _json_ready(detail: dict[str, Any]) -> dict[str, Any]:
    """`detail` as JSON can store it (dates, UUIDs and decimals become strings)."""
    import json

    return json.loads(json.dumps(detail, cls=DjangoJSONEncoder))


def record_entry(
    sender=None,
    *,
    agency,
    actor,
    kind: str,
    summary: str,
    detail: dict[str, Any] | None = None,
    target: str = "",
    **kwargs,
) -> AuditEntry:
    """Append one entry to the trail (the `audit_event` receiver); runs in the caller's
    transaction, so an action rolled back leaves no entry behind."""
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    summary = " ".join(str(summary).split())
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1] + "…"
    return AuditEntry.objects.create(
        # An Agency, or its id (writers that hold only the id), or None (install-wide).
        agency_id=getattr(agency, "pk", agency),
        # An API key acts as no user row: it is kept by name only.
        actor=actor if is_person and actor.pk is not None else None,
        actor_name=actor.get_username() if is_person else "",
        kind=kind,
        summary=summary,
        detail=_json_ready(detail or {}),
        target=str(target)[:200],
    )


def record_login(sender, request, user, **kwargs) -> None:
    """A login counts in the trail of every agency the person belongs to."""
    from agencies.models import Membership

    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    for membership in Membership.objects.filter(user=user).select_related("agency"):
        record_entry(
            agency=membership.agency,
            actor=user,
            kind="login",
            summary=f"{user.get_username()} logged in",
            detail={"address": address},
            target=f"user:{user.pk}",
        )
