"""From a recorded call's analysis to its outcome: type, confidence, summary, typed details.

Runs inside the transaction that records the post-call transcription (every delivery of
it): the outcome, the call's `processed` mark, what the contact's profile learns and the
lead alerts commit together, and a redelivery leaves one outcome, one set of alerts.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from calls.models import Call
from contacts.profile import learn_from_call
from outcomes import alerts
from outcomes.analytics import forget_day_tallies
from outcomes.dispositions import (
    CONFIDENCE_ITEM,
    NEED_HANDLED_CRITERION,
    OUTCOME_ITEM,
    detail_item_name,
)
from outcomes.models import UNKNOWN, DetailType, Disposition, Outcome
from voqo.events import announce, record_audit
from voqo.phones import try_normalize_phone
from voqo.providers import PostCallEvent

logger = logging.getLogger(__name__)

MAX_DETAIL_CHARS = 500
NEED_HANDLED = {"success": True, "failure": False}


def on_post_call_recorded(sender, call: Call, event: PostCallEvent, **kwargs: Any) -> None:
    """`calls.signals.post_call_recorded` receiver: a late analysis of an old call changes
    its day on the dashboard."""
    record_outcome(call=call, event=event)
    forget_day_tallies(call.agency_id, call.created_at)


def record_outcome(*, call: Call, event: PostCallEvent) -> Outcome:
    """Store the call's outcome from its analysis, mark the call processed, teach the
    contact's profile, create its lead alerts and announce `call.analyzed`.

    A staff correction is never overwritten: a redelivered analysis leaves it as it is.
    """
    dispositions = {d.key: d for d in Disposition.objects.filter(agency=call.agency)}
    existing = Outcome.objects.filter(call=call).first()
    if existing is not None and existing.is_corrected:
        outcome, changed = existing, False
    else:
        values = outcome_from_analysis(event, dispositions)
        if existing is None:
            outcome = Outcome.objects.create(agency=call.agency, call=call, **values)
            changed = True
        else:
            changed = any(getattr(existing, name) != value for name, value in values.items())
            for name, value in values.items():
                setattr(existing, name, value)
            if changed:
                existing.save()
            outcome = existing
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        processed=True, processed_at=now, disposition=outcome.outcome_type
    )
    call.processed, call.processed_at, call.disposition = True, now, outcome.outcome_type
    if call.contact_id is not None and outcome.outcome_type in dispositions:
        facts = profile_facts(outcome.outcome_type, outcome.extracted_data)
        if facts:
            learn_from_call(call.contact, facts, call_id=call.pk, at=call.ended_at or now)
    alerts.create_alerts(call=call, outcome=outcome)
    if changed:
        announce_analyzed(outcome)
    return outcome


def outcome_from_analysis(event: PostCallEvent, dispositions: dict[str, Disposition]) -> dict:
    """The outcome's fields from the analysis; `unknown` with the reason when unusable."""
    collected = event.collected
    raw = collected.get(OUTCOME_ITEM)
    key = str(raw).strip().lower() if isinstance(raw, str) else ""
    problems: list[str] = []
    confidence = _confidence(collected.get(CONFIDENCE_ITEM), problems)
    fields: dict[str, Any] = {
        "summary": event.summary,
        "confidence": confidence,
        "need_handled": NEED_HANDLED.get(event.evaluation.get(NEED_HANDLED_CRITERION, "")),
        "unknown_reason": "",
        "extracted_data": {},
    }
    if key in dispositions:
        disposition = dispositions[key]
        fields["outcome_type"], fields["label"] = key, disposition.label
        fields["extracted_data"] = extract_details(disposition, collected, problems)
    elif raw is None and (fallback := _outcome_without_analysis(event, dispositions)):
        # The call itself says what happened when the analysis is silent about it.
        fields["outcome_type"], fields["label"] = fallback.key, fallback.label
    else:
        fields["outcome_type"], fields["label"] = UNKNOWN, "Unknown"
        if raw is None:
            fields["unknown_reason"] = "The call's analysis gave no outcome."
        elif not key:
            fields["unknown_reason"] = "The call's analysis left the outcome empty."
        else:
            fields["unknown_reason"] = (
                f"The call's analysis said “{str(raw)[:100]}”, which is not one of the "
                "agency's outcomes."
            )
    fields["problems"] = problems
    return fields


def _outcome_without_analysis(
    event: PostCallEvent, dispositions: dict[str, Disposition]
) -> Disposition | None:
    """Voicemail when the provider says the call reached one; no conversation when the
    caller never spoke (each only when the agency has that outcome)."""
    if event.call_result == "voicemail":
        return dispositions.get("voicemail")
    if not event.caller_spoke:
        return dispositions.get("no_conversation")
    return None


def _confidence(value: Any, problems: list[str]) -> float | None:
    if value is None:
        return None
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not 0 <= number <= 1:
        problems.append(f"Confidence “{str(value)[:40]}” is not a number from 0 to 1.")
        return None
    return number


def extract_details(
    disposition: Disposition, collected: dict[str, Any], problems: list[str]
) -> dict[str, Any]:
    """The disposition's details that the analysis gave usable values for, typed."""
    details: dict[str, Any] = {}
    for detail in disposition.details:
        name = detail_item_name(disposition.key, detail["key"])
        if name not in collected:
            continue
        try:
            details[detail["key"]] = typed_value(
                detail.get("type", DetailType.TEXT), collected[name]
            )
        except ValueError as error:
            problems.append(f"{detail.get('label') or detail['key']}: {error}")
    return details


def typed_value(kind: str, value: Any) -> Any:
    """`value` as a detail of type `kind` stores it. Raises ValueError with the reason."""
    if kind == DetailType.NUMBER:
        if isinstance(value, bool):
            raise ValueError(f"“{value}” is not a number.")
        text = str(value).replace("$", "").replace(",", "").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"“{str(value)[:60]}” is not a number.") from None
        if number != number or abs(number) == float("inf"):
            raise ValueError(f"“{str(value)[:60]}” is not a number.")
        return int(number) if number == int(number) else number
    if kind == DetailType.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("yes", "true", "y"):
            return True
        if text in ("no", "false", "n"):
            return False
        raise ValueError(f"“{text[:60]}” is not yes or no.")
    text = " ".join(str(value).split())[:MAX_DETAIL_CHARS]
    if kind == DetailType.DATETIME:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"“{text[:60]}” is not a date and time.") from None
        return moment.isoformat()
    if kind == DetailType.PHONE:
        phone = try_normalize_phone(text)
        if not phone:
            raise ValueError(f"“{text[:60]}” is not a phone number.")
        return phone
    if kind == DetailType.SUBURB:
        suburbs = [" ".join(part.split()).title() for part in text.split(",") if part.strip()]
        return suburbs
    return text


# What each default outcome teaches the contact's profile.
ROLE_OF_OUTCOME = {
    "appraisal_booked": "seller",
    "seller_lead": "seller",
    "inspection_booked": "buyer",
    "buyer_enquiry": "buyer",
    "rental_enquiry": "tenant",
    "maintenance_request": "tenant",
}


def profile_facts(outcome_type: str, details: dict[str, Any]) -> dict[str, Any]:
    """The contact-profile facts an outcome and its details state."""
    facts: dict[str, Any] = {}
    if role := ROLE_OF_OUTCOME.get(outcome_type):
        facts["role"] = role
    if outcome_type == "buyer_enquiry":
        facts.update(
            suburbs=details.get("suburbs"),
            budget=details.get("budget"),
            bedrooms=details.get("bedrooms"),
            finance=details.get("finance_status"),
        )
    address = details.get("address") or details.get("listing")
    if address:
        facts["properties"] = [address]
    when = _readable(details.get("time") or details.get("preferred_time"))
    booking = ", ".join(str(part) for part in (address, when) if part)
    if outcome_type == "inspection_booked" and booking:
        facts["inspections"] = [booking]
    if outcome_type == "appraisal_booked" and booking:
        facts["appraisals"] = [booking]
    return {key: value for key, value in facts.items() if value not in (None, "", [])}


def _readable(moment: Any) -> str:
    """An ISO date-time detail as people read it ("Sat 14 Mar 2026, 10:00 AM")."""
    try:
        return datetime.fromisoformat(str(moment)).strftime("%a %-d %b %Y, %-I:%M %p")
    except ValueError:
        return str(moment or "")


def outcome_data(outcome: Outcome) -> dict[str, Any]:
    """The outcome as the `call.analyzed` event and the CSV export carry it."""
    return {
        "call_id": str(outcome.call_id),
        "outcome": {
            "type": outcome.outcome_type,
            "label": outcome.label,
            "confidence": outcome.confidence,
            "summary": outcome.summary,
            "details": outcome.extracted_data,
            "unknown_reason": outcome.unknown_reason,
            "need_handled": outcome.need_handled,
            "corrected": outcome.is_corrected,
            "corrected_by": outcome.corrected_by,
            "corrected_at": outcome.corrected_at.isoformat() if outcome.corrected_at else None,
        },
    }


def announce_analyzed(outcome: Outcome) -> None:
    call = outcome.call
    announce(outcome.agency, "call.analyzed", outcome_data(outcome), agent_id=call.agent_id)


def correct_outcome(*, call: Call, outcome_type: str, details: dict[str, Any], by) -> Outcome:
    """Staff set the call's outcome; kept with who and when, and never overwritten by a
    later redelivery of the analysis. Raises ValueError for an unknown type or bad detail."""
    disposition = Disposition.objects.filter(agency=call.agency, key=outcome_type).first()
    if disposition is None:
        raise ValueError("Choose one of the agency's outcomes.")
    problems: list[str] = []
    collected = {
        detail_item_name(disposition.key, key): value
        for key, value in details.items()
        if value not in (None, "")
    }
    extracted = extract_details(disposition, collected, problems)
    if problems:
        raise ValueError(" ".join(problems))
    name = getattr(by, "get_username", lambda: str(by or ""))()
    with transaction.atomic():
        outcome, _ = Outcome.objects.get_or_create(
            call=call, defaults={"agency": call.agency, "summary": call.summary}
        )
        before = outcome.outcome_type
        outcome.outcome_type, outcome.label = disposition.key, disposition.label
        outcome.extracted_data, outcome.unknown_reason, outcome.problems = extracted, "", []
        outcome.corrected_by, outcome.corrected_at = name, timezone.now()
        outcome.save()
        Call.objects.filter(pk=call.pk).update(disposition=disposition.key)
        forget_day_tallies(call.agency_id, call.created_at)
        record_audit(
            call.agency,
            by,
            "outcome.corrected",
            f"Outcome of call {call.pk} corrected to {disposition.label}",
            detail={"before": before, "after": disposition.key, "details": extracted},
            target=f"call:{call.pk}",
        )
        announce_analyzed(outcome)
    return outcome


def on_webhook_delivery_finished(
    sender, event_type: str, data: dict, status_code: int | None, **kwargs: Any
) -> None:
    """`webhooks.signals.delivery_finished` receiver: a `call.analyzed` attempt's answer
    (each endpoint's latest attempt; the last one to finish is what the outcome shows)."""
    if event_type == "call.analyzed" and data.get("call_id"):
        record_webhook_delivery(data["call_id"], status_code)


def record_webhook_delivery(call_id, status_code: int | None) -> bool:
    """Record how the `call.analyzed` webhook for `call_id` was answered (None: no answer).

    A 2xx marks the outcome sent; True when the call has an outcome to record it on.
    """
    sent = status_code is not None and 200 <= status_code < 300
    fields: dict[str, Any] = {"webhook_sent": sent, "webhook_response_code": status_code}
    if sent:
        fields["webhook_sent_at"] = timezone.now()
    return bool(Outcome.objects.filter(call_id=call_id).update(**fields))
