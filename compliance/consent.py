"""Consent to telemarketing calls: recording it, its lapse, and withdrawing it.

Express consent with no stated period lapses after 3 months (Do Not Call Register Act 2006);
Voqo applies the same lapse to inferred consent with no stated end, the safe reading. Consent
is never inferred from a number merely being published, so there is no "listing" method.
A withdrawal also opts the number out of calls and SMS (contacts.opt_out, the one writer).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from compliance.models import Consent
from contacts.models import Contact
from contacts.opt_out import opt_out_contact, opt_out_number
from voqo.events import record_audit
from voqo.models import agency_zone

DEFAULT_CONSENT_MONTHS = 3


class ConsentRefused(ValueError):
    """A consent Voqo cannot record, with the message to show."""


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months, on the last day of a shorter month (30 Nov + 3 → 28 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def record_consent(
    *,
    contact: Contact,
    kind: str,
    method: str,
    obtained_at: datetime,
    obtained_by: str,
    evidence_note: str = "",
    call=None,
    expires_at: datetime | None = None,
    recorded_by=None,
) -> Consent:
    """Record the contact's consent to telemarketing calls; 3 months when no end is stated."""
    obtained_by = " ".join(obtained_by.split())
    if not obtained_by:
        raise ConsentRefused("Say who obtained the consent (the staff member's name).")
    if obtained_at > timezone.now():
        raise ConsentRefused("The consent cannot have been given in the future.")
    if not evidence_note.strip() and call is None:
        raise ConsentRefused(
            "Keep the evidence: a note of what was said or signed, or the call it was given on."
        )
    if call is not None and call.agency_id != contact.agency_id:
        raise ConsentRefused("That call belongs to another agency.")
    defaulted = expires_at is None
    if defaulted:
        # Months of the agency's calendar: 1:00 pm on 10 March lapses at 1:00 pm on 10 June.
        local = timezone.localtime(obtained_at, agency_zone(contact.agency))
        expires_at = add_months(local, DEFAULT_CONSENT_MONTHS)
    elif expires_at <= obtained_at:
        raise ConsentRefused("The consent must end after it was given.")
    with transaction.atomic():
        consent = Consent.objects.create(
            agency_id=contact.agency_id,
            contact=contact,
            kind=kind,
            method=method,
            obtained_at=obtained_at,
            obtained_by=obtained_by[:150],
            evidence_note=evidence_note.strip(),
            call=call,
            expires_at=expires_at,
            expiry_defaulted=defaulted,
            recorded_by=recorded_by,
        )
        record_audit(
            contact.agency,
            recorded_by,
            "compliance.consent_recorded",
            f"Recorded {consent.get_kind_display().split(' (')[0].lower()} consent of "
            f"{contact.name or contact.phone} until {expires_at:%-d %b %Y}",
            detail={"kind": kind, "method": method, "expires_at": expires_at.isoformat()},
            target=f"contact:{contact.pk}",
        )
    return consent


def withdraw_consent(*, contact: Contact, by: str, actor=None, opt_out: bool = True) -> int:
    """Withdraw every consent of the contact still in force (and by default opt the number out
    of calls and SMS); returns how many consents were withdrawn."""
    now = timezone.now()
    with transaction.atomic():
        withdrawn = Consent.objects.filter(
            contact=contact, withdrawn_at__isnull=True, expires_at__gt=now
        ).update(withdrawn_at=now, withdrawn_by=by[:150])
        opted_out = opt_out and opt_out_contact(contact_id=contact.pk, by=by, agency=contact.agency)
        if withdrawn or opted_out:
            record_audit(
                contact.agency,
                actor,
                "compliance.consent_withdrawn",
                f"{contact.name or contact.phone} withdrew consent ({by})"
                + ("; opted out of calls and SMS" if opted_out else ""),
                detail={"consents": withdrawn, "opted_out": bool(opted_out), "by": by},
                target=f"contact:{contact.pk}",
            )
    return withdrawn


# Things people say to end telemarketing calls (the 2017 Standard: end the call when asked).
# Matched in what the caller said, never in what the agent said.
OPT_OUT_PHRASES = re.compile(
    r"\b("
    r"(do ?n[o']?t|never|stop)\s+(call(ing)?|ring(ing)?|contact(ing)?)\s+(me|us|this number)"
    # … but "don't call me before 5" asks for another time, not for no calls.
    r"(?!\s+(before|after|until|till|on|at|during|in\s+the|tomorrow|today|tonight|this|"
    r"next|early|late|so))"
    r"|take\s+(me|my\s+(number|name|details))\s+off"
    r"|remove\s+(me|my\s+(number|name|details))\s+from"
    r"|(put|add)\s+me\s+on\s+(your|the)\s+do[\s-]?not[\s-]?call"
    r"|unsubscribe|opt\s*me\s*out|i\s+want\s+to\s+opt\s+out"
    r"|stop\s+calling"
    r")\b",
    re.IGNORECASE,
)


def opt_out_phrase(transcript: list[dict]) -> str:
    """The caller's words asking not to be called again, or '' (the agent's turns ignored)."""
    for turn in transcript:
        if turn.get("role") != "user":
            continue
        message = str(turn.get("message") or "").replace("’", "'")
        if match := OPT_OUT_PHRASES.search(message):
            return match.group(0)
    return ""


def apply_in_call_opt_out(call, *, do_not_call: bool) -> bool:
    """A post-call step: when the person asked not to be called (`do_not_call`, the agent's
    data-collection answer, or an opt-out phrase in the transcript), withdraw their consent
    and opt the number out of calls and SMS at once. True when it did."""
    phrase = opt_out_phrase(call.transcript or [])
    asked = do_not_call or bool(phrase)
    phone = call.external_phone
    if not asked or not phone or call.channel != "phone":
        return False
    how = f"asked on call {call.pk}" + (f": “{phrase}”" if phrase else " (agent's do_not_call)")
    with transaction.atomic():
        if call.contact is not None:
            withdraw_consent(contact=call.contact, by=how[:150], opt_out=False)
        opted_out = opt_out_number(phone=phone, by=how[:150], agency=call.agency)
        if opted_out:
            record_audit(
                call.agency,
                None,
                "compliance.opted_out_in_call",
                f"{phone} asked not to be called again; opted out of calls and SMS",
                detail={"phrase": phrase, "call": str(call.pk)},
                target=f"call:{call.pk}",
            )
    return opted_out
