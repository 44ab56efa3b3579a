"""A forgotten contact's outcomes and lead alerts, and what an access request shows of them
(retention.forgetting's signals)."""

from __future__ import annotations

from typing import Any

from outcomes.models import LeadAlert, Outcome


def on_contact_forgetting(sender, contact, call_ids, **kwargs: Any) -> None:
    """Erase what their calls' outcomes say about them; the outcome type stays, so the
    analytics still count it. Their profile goes with the contact row."""
    Outcome.objects.filter(call_id__in=call_ids).update(
        summary="", extracted_data={}, problems=[], unknown_reason=""
    )
    LeadAlert.objects.filter(call_id__in=call_ids).update(body="")


def export_sections(sender, contact, call_ids, **kwargs: Any) -> dict[str, Any]:
    """Their profile (what calls taught us), their calls' outcomes and lead alerts."""
    outcomes = Outcome.objects.filter(call_id__in=call_ids).order_by("created_at")
    alerts = LeadAlert.objects.filter(call_id__in=call_ids).order_by("created_at")
    return {
        "profile": contact.profile or {},
        "call_outcomes": [
            {
                "call_id": outcome.call_id,
                "outcome": outcome.label or outcome.outcome_type,
                "summary": outcome.summary,
                "details": outcome.extracted_data,
                "created_at": outcome.created_at,
            }
            for outcome in outcomes
        ],
        "lead_alerts": [
            {
                "call_id": alert.call_id,
                "channel": alert.channel,
                "body": alert.body,
                "status": alert.status,
                "created_at": alert.created_at,
            }
            for alert in alerts
        ],
    }
