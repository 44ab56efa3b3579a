"""Twilio's webhooks about texts: replies (STOP/START) and delivery status callbacks."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from calls.followup_sms import SMS_OPTED_OUT_CODE
from calls.models import SmsMessage
from contacts.models import Contact
from contacts.opt_out import opt_in_number, opt_out_number
from voqo.events import announce
from voqo.phones import try_normalize_phone

OPT_OUT_WORDS = frozenset(
    {"STOP", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "OPTOUT", "REVOKE", "STOPALL"}
)
# Twilio's default opt-in keywords: after a STOP, any of these re-subscribes the number at
# Twilio, so Voqo must treat them as an opt-in too or the two disagree.
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})


def _keyword(body: str) -> str:
    return body.strip().rstrip(".!?,;:").strip().upper()


def opt_keyword(body: str) -> str:
    """What a reply's text does: "stop" (an opt-out word), "start" (an opt-in word) or ""."""
    keyword = _keyword(body)
    if keyword in OPT_OUT_WORDS:
        return "stop"
    if keyword in OPT_IN_WORDS:
        return "start"
    return ""


def record_inbound_sms(
    *,
    sid: str,
    from_phone: str,
    to_phone: str,
    body: str,
    agencies: list[Agency],
    opt_out_type: str = "",
) -> SmsMessage | None:
    """Store a reply to the number `agencies` text from (once per MessageSid and agency) and
    apply STOP/START for them to the sender's number, a contact's or not; None for a
    duplicate.

    An agency's own number serves that agency alone. The install's shared number serves
    every agency that texts from it, so a reply cannot say which of them it answers: it is
    kept for each of them with a contact at that number (the first of them when none has),
    and STOP/START applies for all of them — a person who says STOP to that number must
    hear from it again for no agency.
    """
    phone = try_normalize_phone(from_phone) or from_phone[:20]
    contacts = list(
        Contact.objects.filter(phone=phone, agency__in=agencies).select_related("agency")
    )
    recipients = [(contact.agency, contact) for contact in contacts]
    stored = []
    for agency, contact in recipients or [(agencies[0], None)]:
        try:
            with transaction.atomic():
                stored.append(
                    SmsMessage.objects.create(
                        agency=agency,
                        direction=SmsMessage.Direction.INBOUND,
                        sid=sid,
                        contact=contact,
                        from_phone=phone,
                        to_phone=(try_normalize_phone(to_phone) or to_phone)[:20],
                        body=body,
                        status="received",
                    )
                )
        except IntegrityError:
            continue
    if not stored:
        return None
    for row in stored:
        announce(
            row.agency,
            "sms.received",
            {
                "id": str(row.pk),
                "sid": row.sid,
                "from": row.from_phone,
                "to": row.to_phone,
                "body": row.body,
                "contact_id": str(row.contact_id) if row.contact_id else None,
                "received_at": row.created_at.isoformat(),
            },
        )
    message = stored[0]
    keyword = _keyword(body)
    opt_out_type = opt_out_type.upper()
    if opt_out_type == "STOP" or (not opt_out_type and keyword in OPT_OUT_WORDS):
        for agency in agencies:
            opt_out_number(phone=phone, by="sms", agency=agency)
    elif opt_out_type == "START" or (not opt_out_type and keyword in OPT_IN_WORDS):
        for agency in agencies:
            opt_in_number(phone=phone, agency=agency)
    return message


def record_sms_status(*, sid: str, status: str, error_code: str = "") -> bool:
    """Apply a delivery status callback if it moves the message forward; True if applied."""
    status = status.lower()
    fields: dict[str, Any] = {"status": status, "updated_at": timezone.now()}
    if error_code:
        fields["error_code"] = error_code[:16]
    updated = SmsMessage.objects.filter(
        sid=sid, status__in=SmsMessage.statuses_before(status)
    ).update(**fields)
    if error_code == SMS_OPTED_OUT_CODE:
        sent = SmsMessage.objects.filter(sid=sid).select_related("agency").first()
        if sent is not None and sent.to_phone:
            opt_out_number(phone=sent.to_phone, by="sms", agency=sent.agency)
    return bool(updated)
