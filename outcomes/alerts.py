"""Lead alerts: the agency's rules pick calls, each alert goes out at most once.

A rule that matches a call makes one LeadAlert row per channel, unique per (call, rule,
channel), in the transaction that records the call — a redelivered analysis finds the rows
and makes none. Sending claims a row with the conditional UPDATE pending → sending, as the
follow-up SMS does, and retries the same way.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from calls.followup_sms import SMS_OPTED_OUT_CODE, SMS_PERMANENT_CODES, SMS_RETRY_DELAYS
from calls.models import Call
from contacts.models import UNKNOWN_CALLER
from contacts.opt_out import is_suppressed, opt_out_number
from outcomes import queue
from outcomes.hours import in_quiet_hours, is_after_hours, quiet_hours_end
from outcomes.models import LeadAlert, LeadAlertRule, Outcome
from outcomes.recipients import Recipient, resolve_recipient
from voqo.models import agency_zone
from voqo.phones import format_phone, try_normalize_phone
from voqo.providers import ProviderError, ProviderRetryableError, get_provider

logger = logging.getLogger(__name__)

ALERT_MAX_ATTEMPTS = len(SMS_RETRY_DELAYS) + 1
MAX_SMS_CHARS = 459  # three segments


def rule_matches(rule: LeadAlertRule, *, call: Call, outcome: Outcome, zone) -> bool:
    if not rule.enabled or call.status != Call.Status.COMPLETED:
        return False
    if rule.trigger == LeadAlertRule.Trigger.OUTCOMES:
        return outcome.outcome_type in (rule.outcomes or [])
    if rule.trigger == LeadAlertRule.Trigger.AFTER_HOURS:
        return is_after_hours(call.started_at or call.created_at, zone)
    return True


def alerts_for(rule: LeadAlertRule, recipient: Recipient) -> list[tuple[str, str, str]]:
    """(channel, address, why not) per channel the rule sends by: an empty address and the
    reason when the alert cannot go out by that channel."""
    wanted = [
        (LeadAlert.Channel.SMS, rule.by_sms, recipient.phone, "mobile number"),
        (LeadAlert.Channel.EMAIL, rule.by_email, recipient.email, "e-mail address"),
    ]
    found = []
    for channel, chosen, address, kind in wanted:
        if not chosen:
            continue
        if recipient.problem:
            found.append((channel, "", recipient.problem))
        elif channel == LeadAlert.Channel.SMS and recipient.sms_opted_out:
            found.append((channel, "", f"{recipient.label} has opted out of SMS alerts."))
        elif not address:
            found.append((channel, "", f"{recipient.label} has no {kind} for alerts."))
        else:
            found.append((channel, address, ""))
    return found


def create_alerts(*, call: Call, outcome: Outcome) -> int:
    """Make the alerts the agency's rules want for this call (none twice); queue sending.
    An alert whose recipient cannot be found is recorded as skipped, with the reason."""
    rules = list(
        LeadAlertRule.objects.filter(agency=call.agency, enabled=True).select_related(
            "staff_member"
        )
    )
    if not rules:
        return 0
    zone = agency_zone(call.agency)
    now = timezone.now()
    rows = []
    for rule in rules:
        if not rule_matches(rule, call=call, outcome=outcome, zone=zone):
            continue
        if LeadAlert.objects.filter(call=call, rule=rule).exists():
            continue  # a redelivery: this rule's alerts were made the first time
        recipient = resolve_recipient(rule, call=call, outcome=outcome)
        wait = in_quiet_hours(now, zone, rule.quiet_from, rule.quiet_until)
        for channel, to, problem in alerts_for(rule, recipient):
            rows.append(
                LeadAlert(
                    agency=call.agency,
                    call=call,
                    rule=rule,
                    channel=channel,
                    recipient=recipient.label,
                    to=to,
                    status=LeadAlert.Status.SKIPPED if problem else LeadAlert.Status.PENDING,
                    error=problem,
                    next_attempt_at=quiet_hours_end(now, zone, rule.quiet_until)
                    if wait and not problem
                    else None,
                )
            )
    if rows:
        LeadAlert.objects.bulk_create(rows, ignore_conflicts=True)
        queue.queue_call_alerts(call.pk)
    return len(rows)


def alert_text(call: Call, outcome: Outcome | None) -> tuple[str, str]:
    """(subject, body) of an alert: the caller, the outcome and details, summary, link."""
    contact = call.contact
    name = contact.name if contact and contact.name != UNKNOWN_CALLER else "Unknown caller"
    label = outcome.label if outcome else "Call"
    subject = f"{label}: {name} {format_phone(call.external_phone)}".strip()
    lines = [subject]
    if outcome is not None:
        lines += [
            f"{key.replace('_', ' ').capitalize()}: {_shown(value)}"
            for key, value in outcome.extracted_data.items()
        ]
    summary = " ".join((outcome.summary if outcome else call.summary).split())
    link = settings.PUBLIC_BASE_URL + reverse("calls:detail", args=[call.pk])
    body = "\n".join(lines)
    room = MAX_SMS_CHARS - len(body) - len(link) - 2
    if summary and room > 20:
        body += "\n" + (summary if len(summary) <= room else summary[: room - 1] + "…")
    return subject, f"{body}\n{link}"


def _shown(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def send_alert(alert_id) -> str:
    """Send one alert if it is due; returns its status afterwards. At most once: the claim
    pending → sending, and an attempt whose outcome is unknown is never retried."""
    now = timezone.now()
    claimed = (
        LeadAlert.objects.filter(pk=alert_id, status=LeadAlert.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=LeadAlert.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=None)
    )
    if not claimed:
        return LeadAlert.objects.filter(pk=alert_id).values_list("status", flat=True).first() or ""
    alert = LeadAlert.objects.select_related("call__contact", "call__agency", "rule").get(
        pk=alert_id
    )
    call, rule = alert.call, alert.rule
    zone = agency_zone(call.agency)
    if rule is not None and in_quiet_hours(now, zone, rule.quiet_from, rule.quiet_until):
        when = quiet_hours_end(now, zone, rule.quiet_until)
        # Waiting is not an attempt.
        _finish(alert, LeadAlert.Status.PENDING, next_attempt_at=when, attempts=F("attempts") - 1)
        queue.schedule_alerts(call.pk, when)
        return LeadAlert.Status.PENDING
    outcome = Outcome.objects.filter(call=call).first()
    subject, body = alert_text(call, outcome)
    if alert.channel == LeadAlert.Channel.SMS:
        return _send_sms(alert, body)
    return _send_email(alert, subject, body)


def _send_sms(alert: LeadAlert, body: str) -> str:
    phone = try_normalize_phone(alert.to)
    if not phone:
        return _finish(alert, LeadAlert.Status.FAILED, body=body, error="Not a phone number.")
    if is_suppressed(phone, agency=alert.call.agency):
        return _finish(
            alert, LeadAlert.Status.SKIPPED, body=body, error="This number has opted out of SMS."
        )
    if member_opted_out_of_sms(phone, agency=alert.call.agency):
        return _finish(
            alert,
            LeadAlert.Status.SKIPPED,
            body=body,
            error="A member with this number has opted out of SMS alerts.",
        )
    try:
        sent = get_provider(alert.call.agency).send_sms(to=phone, body=body, status_callback=None)
    except ProviderError as error:
        if error.code == SMS_OPTED_OUT_CODE:
            opt_out_number(phone=phone, by="sms", agency=alert.call.agency)
        unknown = error.outcome_unknown and error.status_code is None
        retryable = (
            isinstance(error, ProviderRetryableError)
            and error.code not in SMS_PERMANENT_CODES
            and not unknown
        )
        message = f"{error.message} (Twilio error {error.code})" if error.code else error.message
        if unknown:
            message += " — it may have been sent, so Voqo will not send it again."
        return _failed(alert, message, body=body, retryable=retryable)
    return _finish(
        alert, LeadAlert.Status.SENT, body=body, sid=sent.sid, error="", sent_at=timezone.now()
    )


def member_opted_out_of_sms(phone: str, *, agency) -> bool:
    """Whether a member of `agency` with this alert mobile chose to get no SMS alerts."""
    return Membership.objects.filter(
        agency=agency, alert_phone=phone, sms_alerts_opted_out_at__isnull=False
    ).exists()


def _send_email(alert: LeadAlert, subject: str, body: str) -> str:
    try:
        send_mail(subject, body, None, [alert.to])
    except (smtplib.SMTPException, OSError) as error:
        return _failed(alert, f"The e-mail was not accepted: {error}", body=body, retryable=True)
    return _finish(alert, LeadAlert.Status.SENT, body=body, error="", sent_at=timezone.now())


def _failed(alert: LeadAlert, message: str, *, body: str, retryable: bool) -> str:
    logger.warning("lead alert %s failed: %s", alert.pk, message)
    if not retryable or alert.attempts >= ALERT_MAX_ATTEMPTS:
        return _finish(alert, LeadAlert.Status.FAILED, body=body, error=message)
    delay = SMS_RETRY_DELAYS[min(alert.attempts, len(SMS_RETRY_DELAYS)) - 1]
    when = timezone.now() + delay
    _finish(alert, LeadAlert.Status.PENDING, body=body, error=message, next_attempt_at=when)
    queue.schedule_alerts(alert.call_id, when)
    return LeadAlert.Status.PENDING


def _finish(alert: LeadAlert, status: str, **fields: Any) -> str:
    LeadAlert.objects.filter(pk=alert.pk, status=LeadAlert.Status.SENDING).update(
        status=status, **fields
    )
    return status


def due_alerts(now: datetime | None = None):
    now = now or timezone.now()
    return LeadAlert.objects.filter(status=LeadAlert.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def send_call_alerts(call_id) -> int:
    """Send the call's due alerts; returns how many were tried."""
    ids = list(due_alerts().filter(call_id=call_id).values_list("pk", flat=True))
    for alert_id in ids:
        send_alert(alert_id)
    return len(ids)


def send_due_alerts() -> int:
    """Send every alert whose (re)try is due; returns how many were tried."""
    ids = list(due_alerts().values_list("pk", flat=True)[:500])
    for alert_id in ids:
        send_alert(alert_id)
    return len(ids)
