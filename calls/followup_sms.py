"""The follow-up SMS after a call: whether it is due, its text, and sending it at most once.

The text itself (variables, segments, truncation) is voqo.sms; this module decides and
sends. A call is texted at most once whatever retries or duplicates happen: the claim is
the conditional UPDATE pending → sending, and an attempt whose outcome is unknown is never
retried.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from calls import queue
from calls.models import Call, SmsMessage
from contacts.models import UNKNOWN_CALLER
from contacts.opt_out import is_suppressed, opt_out_number
from voqo.models import DEFAULT_SETTINGS, Setting, agency_zone
from voqo.phones import format_phone, sms_problem, try_normalize_phone
from voqo.providers import ProviderError, ProviderRetryableError, get_provider
from voqo.sms import SmsTemplateError, first_name, render_sms_within_limit

logger = logging.getLogger(__name__)

# Twilio errors after which sending again can never work (providers.md).
SMS_OPTED_OUT_CODE = "21610"
SMS_PERMANENT_CODES = frozenset({SMS_OPTED_OUT_CODE, "21211", "21614"})
SMS_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
SMS_MAX_ATTEMPTS = len(SMS_RETRY_DELAYS) + 1


def sms_skip_reason(call: Call, values: dict[str, Any]) -> str:
    """Why this call gets no follow-up SMS; empty when it should get one."""
    if call.channel == Call.Channel.WEB:
        return "Web and test conversations have no number to text."
    if not call.agency.active:
        # Nothing goes out for a suspended agency; a follow-up days later would confuse.
        return f"{call.agency.name} is suspended, so no SMS goes out for it."
    if not values["sms_enabled"]:
        return "Follow-up SMS are turned off in Settings."
    if call.status != Call.Status.COMPLETED:
        return "The call did not connect."
    if values["sms_skip_silent"] and call.caller_spoke is False:
        return "The caller never spoke."
    phone = try_normalize_phone(call.external_phone or "")
    if not phone:
        return "There is no number to text."
    if call.contact is not None and call.contact.is_opted_out:
        return "The contact has opted out of messages."
    if is_suppressed(phone, agency=call.agency):
        return "This number has opted out of messages."
    return sms_problem(phone, allow_foreign_mobiles=values["sms_foreign_mobiles"])


def sms_variables(call: Call, values: dict[str, Any]) -> dict[str, str]:
    """The template variables for this call's SMS."""
    contact = call.contact
    name = contact.name if contact and contact.name != UNKNOWN_CALLER else ""
    moment = timezone.localtime(call.started_at or call.created_at, agency_zone(values))
    summary = " ".join(call.summary.split())
    summary = summary[:-1] if summary.endswith(".") and not summary.endswith("..") else summary
    return {
        "caller_name": name or "there",
        "first_name": first_name(name),
        "caller_phone": format_phone(call.external_phone),
        "call_summary": summary,
        "agent_name": call.agent_name or values["agency_name"],
        "call_duration": format_duration(call.duration),
        "call_date": f"{moment.day} {moment:%B %Y}",
    }


def format_duration(seconds: int | None) -> str:
    """145 → "2m 25s"."""
    minutes, secs = divmod(int(seconds or 0), 60)
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def render_call_sms(call: Call, values: dict[str, Any]) -> str:
    """The SMS text for this call, fitted to the segment limit."""
    variables = sms_variables(call, values)
    try:
        return render_sms_within_limit(values["sms_template"], variables)
    except SmsTemplateError:
        # A template saved before validation existed must not stop the follow-up.
        return render_sms_within_limit(DEFAULT_SETTINGS["sms_template"], variables)


def send_post_call_sms(call_id) -> str:
    """Send the call's follow-up SMS if it is due; returns the call's SMS status afterwards.

    The conditional UPDATE pending → sending is the claim: duplicates and retries that lose
    it do nothing, so a call is texted at most once. Failures are recorded on the call;
    retryable ones go back to pending with a later `sms_next_attempt_at`.
    """
    now = timezone.now()
    claimed = (
        Call.objects.filter(pk=call_id, sms_status=Call.SmsStatus.PENDING)
        .filter(Q(sms_next_attempt_at__isnull=True) | Q(sms_next_attempt_at__lte=now))
        .update(
            sms_status=Call.SmsStatus.SENDING,
            sms_attempts=F("sms_attempts") + 1,
            sms_next_attempt_at=None,
        )
    )
    if not claimed:
        return Call.objects.filter(pk=call_id).values_list("sms_status", flat=True).first() or ""
    call = Call.objects.select_related("contact", "agency").get(pk=call_id)
    values = Setting.all_values(call.agency)
    # Settings or the contact's opt-out may have changed since the call was recorded.
    reason = sms_skip_reason(call, values)
    if reason:
        _finish_sms(call, Call.SmsStatus.SKIPPED, sms_error=reason)
        return Call.SmsStatus.SKIPPED
    body = render_call_sms(call, values)
    to = try_normalize_phone(call.external_phone)
    callback = settings.PUBLIC_BASE_URL + reverse("twilio_sms_status")
    try:
        provider = get_provider(call.agency)  # the agency's own Twilio account, if it has one
        sent = provider.send_sms(to=to, body=body, status_callback=callback)
    except ProviderError as error:
        return _record_sms_failure(call, error, body)
    with transaction.atomic():
        _finish_sms(
            call,
            Call.SmsStatus.SENT,
            sms_body=body,
            sms_sid=sent.sid,
            sms_error="",
            sms_sent=True,
            sms_sent_at=timezone.now(),
        )
        SmsMessage.objects.get_or_create(
            sid=sent.sid,
            agency=call.agency,
            defaults={
                "direction": SmsMessage.Direction.OUTBOUND,
                "contact": call.contact,
                "call": call,
                "from_phone": provider.sms_from or settings.TWILIO_PHONE_NUMBER,
                "to_phone": to,
                "body": body,
                "status": sent.status,
            },
        )
    return Call.SmsStatus.SENT


def _record_sms_failure(call: Call, error: ProviderError, body: str) -> str:
    message = f"{error.message} (Twilio error {error.code})" if error.code else error.message
    logger.warning("post-call SMS for call %s failed: %r", call.pk, error)
    phone = try_normalize_phone(call.external_phone)
    if error.code == SMS_OPTED_OUT_CODE and phone:
        opt_out_number(phone=phone, by="sms", agency=call.agency)
    # A timeout without an HTTP answer may have been delivered: retrying could text twice.
    unknown_delivery = error.outcome_unknown and error.status_code is None
    retryable = (
        isinstance(error, ProviderRetryableError)
        and error.code not in SMS_PERMANENT_CODES
        and not unknown_delivery
        and call.sms_attempts < SMS_MAX_ATTEMPTS
    )
    if not retryable:
        if unknown_delivery:
            message += " — it may have been sent, so Voqo will not send it again."
        _finish_sms(call, Call.SmsStatus.FAILED, sms_body=body, sms_error=message)
        return Call.SmsStatus.FAILED
    when = timezone.now() + SMS_RETRY_DELAYS[min(call.sms_attempts, len(SMS_RETRY_DELAYS)) - 1]
    _finish_sms(
        call, Call.SmsStatus.PENDING, sms_body=body, sms_error=message, sms_next_attempt_at=when
    )
    queue.schedule_sms_retry(call.pk, when)
    return Call.SmsStatus.PENDING


def _finish_sms(call: Call, status: str, **fields: Any) -> None:
    """Leave the `sending` claim for `status`, recording `fields` on the call."""
    Call.objects.filter(pk=call.pk, sms_status=Call.SmsStatus.SENDING).update(
        sms_status=status, **fields
    )


def due_sms_call_ids(now: datetime | None = None) -> list:
    """Calls whose follow-up SMS waits to be (re)sent now."""
    now = now or timezone.now()
    return list(
        Call.objects.filter(sms_status=Call.SmsStatus.PENDING)
        .filter(Q(sms_next_attempt_at__isnull=True) | Q(sms_next_attempt_at__lte=now))
        .values_list("pk", flat=True)[:500]
    )


def send_due_sms() -> int:
    """Send every follow-up SMS whose (re)try is due; return how many were tried."""
    calls = due_sms_call_ids()
    for call_id in calls:
        send_post_call_sms(call_id)
    return len(calls)
