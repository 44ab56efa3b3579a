"""django-q2 entry points of the calls domain: thin, idempotent, they take ids.

Their paths are named in calls.queue; services never import this module.
"""

from __future__ import annotations

from calls import followup_sms, receiving, reconciling


def process_webhook_event(event_id: int) -> None:
    receiving.process_webhook_event(event_id)


def drain_webhook_events() -> str:
    return f"{receiving.drain_webhook_events()} event(s) processed"


def sweep_post_call_work() -> str:
    """The periodic safety net (every minute): lost events, due SMS retries, and single calls
    whose result never arrived."""
    events = receiving.sweep_unprocessed_events()
    sms = followup_sms.send_due_sms()
    calls = reconciling.reconcile_waiting_calls()
    return f"{events} event(s) processed, {sms} SMS retried, {calls} call(s) reconciled"


def send_post_call_sms(call_id: str) -> str:
    return followup_sms.send_post_call_sms(call_id)
