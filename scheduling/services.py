"""Scheduled calls: scheduling, editing and cancelling them, and placing them when due.

A time outside a recipient's calling window is refused when scheduling, with the next
allowed time. The worker (every minute) claims each due row with a conditional UPDATE
pending → in progress and creates its call record in the same transaction, then dials
outside it: a row is placed at most once, whatever retries or second workers do. The call's
outcome (calls.signals.call_finished) moves the row to completed or failed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from agents.services import sync_agent
from calls.models import Call
from calls.outbound import (
    OutboundCallFailed,
    OutboundCallRefused,
    check_calling_window,
    describe_opening,
    dial_outbound_call,
    prepare_outbound_call,
    refuse_unless_callable,
)
from contacts.models import Contact
from contacts.personalisation import caller_variables
from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import outbound_numbers
from scheduling.models import ScheduledCall
from voqo.events import record_audit
from voqo.phones import format_phone

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
# A time a little in the past (the form took a minute to fill in) is placed at the next tick.
PAST_GRACE = timedelta(minutes=2)
BATCH_SIZE = 200


class SchedulingRefused(Exception):
    """The call cannot be scheduled (or changed) as asked; nothing was saved."""


class OutsideCallingWindow(SchedulingRefused):
    """The time is outside a recipient's calling window; `opens_at` is the next allowed time."""

    def __init__(self, message: str, opens_at: datetime) -> None:
        super().__init__(message)
        self.opens_at = opens_at


@dataclass(frozen=True)
class Recipient:
    phone: str  # E.164
    contact: Contact | None = None

    @property
    def label(self) -> str:
        return (self.contact.name if self.contact else "") or format_phone(self.phone)


@dataclass(frozen=True)
class PromptOverride:
    """The prompt a scheduled call uses instead of its agent's, copied when scheduled."""

    text: str
    source: str


def recipients_for(*, agency: Agency, phones: list[str]) -> list[Recipient]:
    """The recipients for E.164 `phones`, each linked to the agency's contact with that number."""
    contacts = {c.phone: c for c in Contact.objects.filter(agency=agency, phone__in=phones)}
    return [Recipient(phone=phone, contact=contacts.get(phone)) for phone in dict.fromkeys(phones)]


def prompt_from_agent(agent: Agent, *, now: datetime | None = None) -> PromptOverride:
    """`agent`'s prompt as it is now, as a snapshot for a scheduled call."""
    now = now or timezone.now()
    return PromptOverride(
        text=agent.system_prompt, source=f"{agent.name}'s prompt as of {now:%d %b %Y %H:%M} UTC"
    )


def schedule_call(
    *,
    agency: Agency,
    agent: Agent,
    recipients: list[Recipient],
    at: datetime,
    from_number: PhoneNumber | None = None,
    prompt: PromptOverride | None = None,
    dynamic_variables: dict[str, str] | None = None,
    by: Any = None,
    now: datetime | None = None,
) -> list[ScheduledCall]:
    """Schedule one call per recipient at `at` (aware); returns the new pending rows.

    Raises OutsideCallingWindow (with the next allowed time) when `at` is outside a
    recipient's calling window, SchedulingRefused for anything else that would stop the
    call (an agent that cannot call, an opted-out number, a number not the agency's, a time
    in the past).
    """
    now = now or timezone.now()
    if not recipients:
        raise SchedulingRefused("Give at least one number or contact to call.")
    if len(recipients) > MAX_RECIPIENTS:
        raise SchedulingRefused(
            f"Schedule at most {MAX_RECIPIENTS} calls at once; use a campaign for more."
        )
    from_number = _check_call(
        agency=agency, agent=agent, recipients=recipients, at=at, from_number=from_number, now=now
    )
    batch = uuid.uuid4()
    prompt = prompt or PromptOverride(text="", source="")
    rows = [
        ScheduledCall(
            agency=agency,
            batch=batch,
            agent=agent,
            from_number=from_number,
            from_phone=from_number.number if from_number else "",
            contact=recipient.contact,
            phone=recipient.phone,
            scheduled_at=at,
            prompt_text=prompt.text,
            prompt_source=prompt.source,
            dynamic_variables=dict(dynamic_variables or {}),
            created_by=_username(by),
        )
        for recipient in recipients
    ]
    with transaction.atomic():
        ScheduledCall.objects.bulk_create(rows)
        names = ", ".join(recipient.label for recipient in recipients[:5])
        record_audit(
            agency,
            by,
            "scheduled_call.created",
            f"Scheduled a call to {names}{'…' if len(recipients) > 5 else ''} at {at.isoformat()}",
            detail={"count": len(rows), "agent": agent.name},
            target=f"scheduled_call_batch:{batch}",
        )
    if prompt.text:
        _allow_prompt_override(agent, rows)
    return rows


def _allow_prompt_override(agent: Agent, rows: list[ScheduledCall]) -> None:
    """Sync the agent so ElevenLabs accepts these calls' prompt; undo the rows if it can't
    (a call whose override is not allowed would fail at dial time instead)."""
    if sync_agent(agent):
        return
    ScheduledCall.objects.filter(pk__in=[row.pk for row in rows]).delete()
    raise SchedulingRefused(
        "ElevenLabs did not accept the agent's update that allows a prompt for this call: "
        f"{agent.sync_error or 'no reason given'}. Try again, or schedule without a prompt."
    )


def update_scheduled_call(
    *,
    scheduled_call: ScheduledCall,
    agent: Agent,
    at: datetime,
    from_number: PhoneNumber | None = None,
    prompt: PromptOverride | None = None,
    dynamic_variables: dict[str, str] | None = None,
    by: Any = None,
    now: datetime | None = None,
) -> ScheduledCall:
    """Edit or reschedule a pending call, checked as when it was scheduled.

    SchedulingRefused when it is no longer pending (the worker took it, or it was cancelled).
    """
    now = now or timezone.now()
    agency = scheduled_call.agency
    recipient = Recipient(phone=scheduled_call.phone, contact=scheduled_call.contact)
    from_number = _check_call(
        agency=agency, agent=agent, recipients=[recipient], at=at, from_number=from_number, now=now
    )
    prompt = prompt or PromptOverride(text="", source="")
    changed = ScheduledCall.objects.filter(
        pk=scheduled_call.pk, status=ScheduledCall.Status.PENDING
    ).update(
        agent=agent,
        scheduled_at=at,
        from_number=from_number,
        from_phone=from_number.number if from_number else "",
        prompt_text=prompt.text,
        prompt_source=prompt.source,
        dynamic_variables=dict(dynamic_variables or {}),
        updated_at=now,
    )
    if not changed:
        raise SchedulingRefused(_not_pending_message(scheduled_call))
    if prompt.text:
        _allow_prompt_override(agent, [])
    record_audit(
        agency,
        by,
        "scheduled_call.updated",
        f"Changed the scheduled call to {recipient.label} (now {at.isoformat()})",
        target=f"scheduled_call:{scheduled_call.pk}",
    )
    scheduled_call.refresh_from_db()
    return scheduled_call


def cancel_scheduled_call(*, scheduled_call: ScheduledCall, by: Any = None) -> None:
    """Cancel a pending call. SchedulingRefused when it is no longer pending."""
    cancelled = ScheduledCall.objects.filter(
        pk=scheduled_call.pk, status=ScheduledCall.Status.PENDING
    ).update(
        status=ScheduledCall.Status.CANCELLED,
        failure_reason=f"Cancelled by {_username(by) or 'staff'}.",
        updated_at=timezone.now(),
    )
    if not cancelled:
        raise SchedulingRefused(_not_pending_message(scheduled_call))
    record_audit(
        scheduled_call.agency,
        by,
        "scheduled_call.cancelled",
        f"Cancelled the scheduled call to {format_phone(scheduled_call.phone)}",
        target=f"scheduled_call:{scheduled_call.pk}",
    )


def _not_pending_message(scheduled_call: ScheduledCall) -> str:
    status = (
        ScheduledCall.objects.filter(pk=scheduled_call.pk).values_list("status", flat=True).first()
    )
    label = ScheduledCall.Status(status).label.lower() if status else "gone"
    return f"This call is {label}, so it can no longer be changed."


def _check_call(
    *,
    agency: Agency,
    agent: Agent,
    recipients: list[Recipient],
    at: datetime,
    from_number: PhoneNumber | None,
    now: datetime,
) -> PhoneNumber | None:
    """Refuse what would stop the call; returns the number to call from."""
    if timezone.is_naive(at):
        raise ValueError("Scheduled times must be aware datetimes")
    if agent.agency_id != agency.pk:
        raise SchedulingRefused("That agent belongs to another agency.")
    if at < now - PAST_GRACE:
        raise SchedulingRefused("That time has passed; choose a time in the future.")
    numbers = outbound_numbers(agency)
    if from_number is not None and not numbers.filter(pk=from_number.pk).exists():
        raise SchedulingRefused(
            f"{from_number} is not one of this agency's active numbers for outbound calls."
        )
    from_number = from_number or numbers.first()
    for recipient in recipients:
        if recipient.contact is not None and recipient.contact.agency_id != agency.pk:
            raise SchedulingRefused("That contact belongs to another agency.")
        try:
            refuse_unless_callable(agent, recipient.contact, recipient.phone, agency=agency)
        except OutboundCallRefused as refusal:
            raise SchedulingRefused(str(refusal)) from None
        check = check_calling_window(
            to_phone=recipient.phone, contact=recipient.contact, agency=agency, now=at
        )
        if not check.is_open:
            raise OutsideCallingWindow(
                f"That time is outside calling hours for {recipient.label} ({check.reason}). "
                f"The next allowed time is {describe_opening(check, agency=agency)}.",
                check.opens_at,
            )
    return from_number


def _username(user: Any) -> str:
    return user.get_username() if user is not None and hasattr(user, "get_username") else ""


# -- the worker -------------------------------------------------------------------------


@dataclass
class PlacingReport:
    placed: int = 0
    failed: int = 0


def due_call_ids(now: datetime | None = None) -> list:
    """Pending rows whose time has come, oldest first."""
    now = now or timezone.now()
    return list(
        ScheduledCall.objects.filter(status=ScheduledCall.Status.PENDING, scheduled_at__lte=now)
        .order_by("scheduled_at")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )


def place_due_calls(now: datetime | None = None) -> PlacingReport:
    """Place every due scheduled call (each at most once, see the module docstring)."""
    now = now or timezone.now()
    report = PlacingReport()
    for pk in due_call_ids(now):
        try:
            outcome = place_scheduled_call(pk, now=now)
        except Exception:  # one bad row must not stop the others; it stays visible
            logger.exception("placing scheduled call %s failed", pk)
            continue
        if outcome == ScheduledCall.Status.IN_PROGRESS:
            report.placed += 1
        elif outcome == ScheduledCall.Status.FAILED:
            report.failed += 1
    return report


def place_scheduled_call(pk, *, now: datetime | None = None) -> str:
    """Claim one due row and place its call; returns the row's status ('' when another
    worker had it, or it was not due)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ScheduledCall.objects.filter(
            pk=pk, status=ScheduledCall.Status.PENDING, scheduled_at__lte=now
        ).update(status=ScheduledCall.Status.IN_PROGRESS, claimed_at=now, updated_at=now)
        if not claimed:
            return ""
        row = ScheduledCall.objects.select_related("agency", "agent", "contact", "from_number").get(
            pk=pk
        )
        try:
            call = _prepare(row, now=now)
        except OutboundCallRefused as refusal:
            _finish(row, ScheduledCall.Status.FAILED, str(refusal))
            return ScheduledCall.Status.FAILED
        row.call = call
        row.save(update_fields=["call"])
    try:
        dial_outbound_call(call, prompt=row.prompt_text or None)
    except OutboundCallRefused as refusal:
        _finish(row, ScheduledCall.Status.FAILED, str(refusal))
        return ScheduledCall.Status.FAILED
    except OutboundCallFailed as failure:
        if failure.error.outcome_unknown:
            # It may ring: the call stays initiated and is reconciled; its end settles the row.
            return ScheduledCall.Status.IN_PROGRESS
        _finish(row, ScheduledCall.Status.FAILED, f"The provider refused the call: {failure}")
        return ScheduledCall.Status.FAILED
    return ScheduledCall.Status.IN_PROGRESS


def _prepare(row: ScheduledCall, *, now: datetime) -> Call:
    """The call record for a claimed row; OutboundCallRefused when it must not be placed."""
    if row.agent is None:
        raise OutboundCallRefused("Its agent was deleted, so nothing was dialled.")
    # The worker may run late (it was down): the window must still be open now.
    check = check_calling_window(
        to_phone=row.phone, contact=row.contact, agency=row.agency, now=now
    )
    if not check.is_open:
        raise OutboundCallRefused(
            f"It was outside calling hours by the time Voqo could place it ({check.reason}); "
            f"reschedule it for {describe_opening(check, agency=row.agency)} or later."
        )
    variables = caller_variables(
        phone=row.phone, contact=row.contact, agent_name=row.agent.name, agency=row.agency
    )
    return prepare_outbound_call(
        agent=row.agent,
        agency=row.agency,
        to_phone=row.phone,
        dynamic_variables={**variables, **row.dynamic_variables},
        contact=row.contact,
        caller_number=row.from_number,
    )


def _finish(row: ScheduledCall, status: str, reason: str = "") -> None:
    ScheduledCall.objects.filter(pk=row.pk, status=ScheduledCall.Status.IN_PROGRESS).update(
        status=status, failure_reason=reason, updated_at=timezone.now()
    )


def on_call_finished(sender, call: Call, **kwargs) -> None:
    """A scheduled call's call ended: the row is completed, or failed with why."""
    if call.status == Call.Status.COMPLETED:
        status, reason = ScheduledCall.Status.COMPLETED, ""
    else:
        status = ScheduledCall.Status.FAILED
        reason = call.failure_reason or call.get_status_display()
    ScheduledCall.objects.filter(call=call, status=ScheduledCall.Status.IN_PROGRESS).update(
        status=status, failure_reason=reason, updated_at=timezone.now()
    )
