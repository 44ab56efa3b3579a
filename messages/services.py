"""Sending a message from a thread: refused to opted-out numbers with the reason, stored
before Twilio is asked, its outcome after."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from agencies.models import Agency
from calls.followup_sms import SMS_OPTED_OUT_CODE, sms_variables
from calls.models import Call, SmsMessage
from contacts.models import UNKNOWN_CALLER, Contact, SuppressedNumber
from contacts.opt_out import opt_out_number
from phone_numbers.selectors import outbound_numbers
from voqo.events import record_audit
from voqo.models import Setting
from voqo.phones import format_phone, sms_problem
from voqo.providers import ProviderError, get_provider
from voqo.sms import SMS_VARIABLES, SmsTemplateError, count_segments, first_name, render_sms

logger = logging.getLogger(__name__)

# Twilio refuses bodies over 1,600 characters; ten segments is the most worth sending by hand.
MAX_SEGMENTS = 10


class MessageRefused(Exception):
    """Voqo will not send this message (opted out, not a mobile, a suspended agency, a bad
    template); nothing was sent."""


class MessageFailed(Exception):
    """Twilio refused or failed the message; it is stored as failed with the reason."""


def opt_out_reason(*, agency: Agency, phone: str, contact: Contact | None) -> str:
    """Why `agency` may not text `phone`, in words; empty when it may."""
    suppression = SuppressedNumber.objects.filter(agency=agency, phone=phone).first()
    if suppression is None and (contact is None or contact.opted_out_at is None):
        return ""
    when = suppression.suppressed_at if suppression else contact.opted_out_at
    source = suppression.source if suppression else contact.opted_out_by
    how = "by replying STOP" if source == "sms" else f"({source})" if source else ""
    who = (contact.name if contact and contact.name != UNKNOWN_CALLER else "") or format_phone(
        phone
    )
    return (
        f"{who} opted out {how} on {when:%-d %b %Y}".replace("  ", " ")
        + ", so Voqo will not text them. They can opt back in by texting START."
    )


def reply_variables(*, agency: Agency, phone: str, contact: Contact | None) -> dict[str, str]:
    """The {variables} a manual message may use: those of the latest call with this number
    (as the post-call SMS has them), else the contact's name and number."""
    values = Setting.all_values(agency)
    call = (
        Call.objects.filter(agency=agency)
        .filter(
            Q(direction=Call.Direction.OUTBOUND, to_phone=phone)
            | Q(direction=Call.Direction.INBOUND, from_phone=phone)
        )
        .select_related("contact", "agency")
        .order_by("-created_at")
        .first()
    )
    if call is not None:
        return sms_variables(call, values)
    name = contact.name if contact and contact.name != UNKNOWN_CALLER else ""
    return {
        **{key: "" for key in SMS_VARIABLES},
        "caller_name": name or "there",
        "first_name": first_name(name),
        "caller_phone": format_phone(phone),
        "agent_name": values["agency_name"],
    }


def render_message(*, agency: Agency, phone: str, contact: Contact | None, body: str) -> str:
    """The text as it will be sent, variables filled. Raises MessageRefused."""
    if not body.strip():
        raise MessageRefused("Write a message first.")
    try:
        text = render_sms(body, reply_variables(agency=agency, phone=phone, contact=contact))
    except SmsTemplateError as error:
        raise MessageRefused(str(error)) from None
    if count_segments(text).segments > MAX_SEGMENTS or len(text) > 1600:
        raise MessageRefused(
            f"That is too long for one message: keep it within {MAX_SEGMENTS} segments "
            "(1,600 characters)."
        )
    return text


def send_message(
    *, agency: Agency, phone: str, body: str, contact: Contact | None = None, by: Any = None
) -> SmsMessage:
    """Text `phone` from the agency's number; returns the stored message.

    Raises MessageRefused (nothing sent) or MessageFailed (stored as failed with Twilio's
    reason). The row is written before Twilio is asked, so a crash leaves it visible.
    """
    if contact is None:
        contact = Contact.objects.filter(agency=agency, phone=phone).first()
    if not agency.active:
        raise MessageRefused(f"{agency.name} is suspended, so Voqo sends no SMS for it.")
    if reason := opt_out_reason(agency=agency, phone=phone, contact=contact):
        raise MessageRefused(reason)
    values = Setting.all_values(agency)
    if problem := sms_problem(phone, allow_foreign_mobiles=values["sms_foreign_mobiles"]):
        raise MessageRefused(problem)
    text = render_message(agency=agency, phone=phone, contact=contact, body=body)
    number = outbound_numbers(agency).first()
    from_phone = number.number if number else settings.TWILIO_PHONE_NUMBER
    message = SmsMessage.objects.create(
        agency=agency,
        direction=SmsMessage.Direction.OUTBOUND,
        contact=contact,
        from_phone=from_phone,
        to_phone=phone,
        body=text,
        # Replaced by Twilio's MessageSid once it answers.
        sid=f"pending-{uuid.uuid4().hex}",
        status="sending",
    )
    callback = settings.PUBLIC_BASE_URL + reverse("twilio_sms_status")
    try:
        sent = get_provider(agency).send_sms(
            to=phone, body=text, status_callback=callback, from_number=number and number.number
        )
    except ProviderError as error:
        logger.warning("manual SMS to %s failed: %r", phone, error)
        message.status, message.error_code = "failed", (error.code or "")[:16]
        message.save(update_fields=["status", "error_code", "updated_at"])
        if error.code == SMS_OPTED_OUT_CODE:
            opt_out_number(phone=phone, by="sms", agency=agency)
        explanation = error.message
        if error.outcome_unknown and error.status_code is None:
            explanation += " It may have been sent: check before sending it again."
        raise MessageFailed(f"Twilio did not send it: {explanation}") from error
    message.sid, message.status = sent.sid, sent.status
    message.save(update_fields=["sid", "status", "updated_at"])
    record_audit(
        agency,
        by,
        "sms.sent",
        f"Texted {format_phone(phone)}",
        target=f"sms:{message.pk}",
    )
    return message
