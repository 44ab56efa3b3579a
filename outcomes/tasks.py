"""django-q2 entry points of the outcomes domain: thin, idempotent, they take ids."""

from __future__ import annotations

from outcomes import alerts


def send_call_alerts(call_id: str) -> int:
    return alerts.send_call_alerts(call_id)


def send_due_alerts() -> int:
    return alerts.send_due_alerts()
