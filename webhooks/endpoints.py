"""Managing an agency's webhook endpoints (UI and API alike); every change is audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from voqo.events import record_audit
from webhooks.models import EVENT_TYPES, Endpoint

SECRET_PREFIX = "whsec_"
# Changes made through the API have no person behind them (`by` is None): `via` says which
# key made them, e.g. ' through the API key “CRM sync”'.
AUDITED_FIELDS = ("url", "description", "event_types", "agent_id", "active")


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: Endpoint
    secret: str  # shown once


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def create_endpoint(
    *,
    agency,
    url: str,
    event_types: list[str],
    description: str = "",
    agent=None,
    by=None,
    via: str = "",
) -> NewEndpoint:
    """A new active endpoint with a fresh signing secret (returned to show once)."""
    secret = new_secret()
    endpoint = Endpoint.objects.create(
        agency=agency,
        url=url,
        description=description,
        event_types=ordered_event_types(event_types),
        agent=agent,
        secret=secret,
    )
    record_audit(
        agency,
        by,
        "webhook_endpoint.created",
        f"Webhook endpoint {url} added{via}",
        detail=_snapshot(endpoint),
        target=f"webhook_endpoint:{endpoint.pk}",
    )
    return NewEndpoint(endpoint=endpoint, secret=secret)


def update_endpoint(endpoint: Endpoint, *, by=None, via: str = "", **changes) -> Endpoint:
    """Change the given fields; enabling an endpoint clears why it was disabled."""
    before = _snapshot(endpoint)
    if "event_types" in changes:
        changes["event_types"] = ordered_event_types(changes["event_types"])
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if changes.get("active"):
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    endpoint.save()
    after = _snapshot(endpoint)
    diff = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if diff:
        record_audit(
            endpoint.agency,
            by,
            "webhook_endpoint.changed",
            f"Webhook endpoint {endpoint.url} changed ({', '.join(diff)}){via}",
            detail=diff,
            target=f"webhook_endpoint:{endpoint.pk}",
        )
    return endpoint


def rotate_secret(endpoint: Endpoint, *, by=None) -> str:
    """A new signing secret (returned to show once); the old one stops signing at once."""
    secret = new_secret()
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "updated_at"])
    record_audit(
        endpoint.agency,
        by,
        "webhook_endpoint.secret_rotated",
        f"Signing secret of webhook endpoint {endpoint.url} replaced",
        target=f"webhook_endpoint:{endpoint.pk}",
    )
    return secret


def delete_endpoint(endpoint: Endpoint, *, by=None, via: str = "") -> None:
    """Delete the endpoint with its delivery log."""
    record_audit(
        endpoint.agency,
        by,
        "webhook_endpoint.deleted",
        f"Webhook endpoint {endpoint.url} deleted{via}",
        detail=_snapshot(endpoint),
        target=f"webhook_endpoint:{endpoint.pk}",
    )
    endpoint.delete()


def ordered_event_types(event_types) -> list[str]:
    chosen = set(event_types)
    return [name for name in EVENT_TYPES if name in chosen]


def _snapshot(endpoint: Endpoint) -> dict:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "agent_id": str(endpoint.agent_id) if endpoint.agent_id else None,
        "active": endpoint.active,
    }
