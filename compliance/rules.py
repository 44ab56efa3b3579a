"""May this telemarketing dial go ahead? The Do Not Call Register and identification rules.

Asked in the one place dials are decided — the campaign claim (campaigns.engine) and the
single-call path (calls.outbound) — right before a number is dialled (PITFALLS.md, "Australian
telemarketing law"): a telemarketing call needs a wash of the number no older than 30 days,
and a number on the register needs a consent in force; the greeting names the agency and the
caller ID is a number that answers calls. Service and research calls pass (the register does
not cover them); the calling window is checked separately, for every purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from compliance.models import Consent, DialRefusal, WashResult
from phone_numbers.selectors import inbound_numbers, outbound_numbers
from voqo.calling_window import TELEMARKETING
from voqo.models import agency_zone
from voqo.phones import format_phone
from voqo.providers.dncr import national_number

# Wash results are commonly treated as valid for 30 days.
WASH_VALID_FOR = timedelta(days=30)
AGENCY_NAME_VARIABLE = "{{agency_name}}"

Code = DialRefusal.Code


@dataclass(frozen=True)
class Refusal:
    """Why a dial may not go ahead: a code for counting, a reason for people."""

    code: str
    reason: str

    def __str__(self) -> str:
        return self.reason


def greeting_problem(greeting: str) -> str:
    """Why a telemarketing agent's greeting does not identify the caller, or ''."""
    compact = "".join(greeting.split())
    if AGENCY_NAME_VARIABLE not in compact:
        return (
            "A telemarketing call must say at its start who is calling: put {{agency_name}} in "
            "the agent's greeting (e.g. “Hi, it's Sam from {{agency_name}} about …”)."
        )
    return ""


# A job that may still dial (campaigns.models.Job statuses), read through the agent's jobs.
_OPEN_JOB_STATUSES = ("pending", "running", "paused")


def telemarketing_greeting_problem(agent) -> str:
    """Why `agent` may not be synced with its greeting, or '': an agent that open
    telemarketing jobs use must name the agency when it greets."""
    jobs = agent.jobs.filter(purpose=TELEMARKETING, status__in=_OPEN_JOB_STATUSES)
    if agent.pk is None or not jobs.exists():
        return ""
    return greeting_problem(agent.greeting_message)


def caller_id(agency) -> str:
    """The number a call from `agency` shows: its default outbound number, else the
    install's number."""
    number = outbound_numbers(agency).values_list("number", flat=True).first()
    return number or settings.TWILIO_PHONE_NUMBER


def callback_problem(agency, caller_number=None) -> str:
    """Why people called by `agency` (from `caller_number`, a PhoneNumber chosen for the call
    or job; None: the agency's default) could not call the number they see back, or ''.

    An agency with numbers of its own must show one that answers calls; one without any
    calls from (and answers on) the install's number.
    """
    number = caller_number.number if caller_number is not None else caller_id(agency)
    numbers = inbound_numbers(agency)
    if not numbers.exists() and number == settings.TWILIO_PHONE_NUMBER:
        return ""
    if numbers.filter(number=number).exists():
        return ""
    return (
        f"Calls show {format_phone(number)} as the caller, but that number does not answer "
        "calls, so nobody can call back: make it an inbound number (Phone numbers) or choose "
        "another default outbound number."
    )


def identification_refusal(*, agency, greeting: str, caller_number=None) -> Refusal | None:
    """The identification rules of a telemarketing call: agency named, callable caller ID."""
    if problem := greeting_problem(greeting):
        return Refusal(Code.GREETING, problem)
    if problem := callback_problem(agency, caller_number):
        return Refusal(Code.CALLBACK, problem)
    return None


def register_refusals(*, agency, phones: Iterable[str], now: datetime) -> dict[str, Refusal]:
    """The numbers among `phones` a telemarketing call may not ring, with why (one query;
    two when one of them is on the register).

    The register holds Australian numbers only, so a foreign number needs no wash.
    """
    phones = {phone for phone in phones if national_number(phone)}
    if not phones:
        return {}
    washes = {
        wash.phone: wash for wash in WashResult.objects.filter(agency=agency, phone__in=phones)
    }
    # Consent matters only for a registered number: most claims find none and skip the read.
    registered = {phone for phone, wash in washes.items() if wash.registered}
    consented = (
        set(
            Consent.objects.valid_at(now)
            .filter(agency=agency, contact__phone__in=registered)
            .values_list("contact__phone", flat=True)
        )
        if registered
        else set()
    )
    zone = agency_zone(agency)
    refusals = {}
    for phone in phones:
        wash = washes.get(phone)
        if wash is None:
            refusals[phone] = Refusal(
                Code.NOT_WASHED,
                "Not washed against the Do Not Call Register: export the numbers to wash, "
                "then import the register's result.",
            )
        elif wash.dncr_checked_at < now - WASH_VALID_FOR:
            checked = timezone.localtime(wash.dncr_checked_at, zone)
            refusals[phone] = Refusal(
                Code.STALE_WASH,
                f"Last washed {checked:%-d %b %Y}, more than 30 days ago: wash it again.",
            )
        elif wash.registered and phone not in consented:
            refusals[phone] = Refusal(
                Code.REGISTERED,
                "On the Do Not Call Register, and no consent in force is recorded.",
            )
    return refusals


def dial_refusal(
    *, agency, greeting: str, phone: str, purpose: str, now: datetime, caller_number=None
):
    """Why a single dial of `phone` for `purpose` (from `caller_number`, None: the agency's
    default) may not go ahead, or None."""
    if purpose != TELEMARKETING:
        return None
    refusal = identification_refusal(agency=agency, greeting=greeting, caller_number=caller_number)
    return refusal or register_refusals(agency=agency, phones=[phone], now=now).get(phone)


def record_refusals(
    *, agency, refusals: dict[str, Refusal], purpose: str, now: datetime, job_id=None
) -> None:
    """Keep refused dials for the compliance page and the auditor's export."""
    DialRefusal.objects.bulk_create(
        DialRefusal(
            agency=agency,
            phone=phone,
            purpose=purpose,
            code=refusal.code,
            reason=refusal.reason,
            job_id=job_id,
            refused_at=now,
        )
        for phone, refusal in refusals.items()
    )


@dataclass(frozen=True)
class WashCoverage:
    """How much of a list the register rules let through today."""

    numbers: int
    fresh: int
    stale: int
    registered: int

    @property
    def missing(self) -> int:
        return max(self.numbers - self.fresh - self.stale, 0)


def wash_coverage(*, agency, phones, now: datetime) -> WashCoverage:
    """Washes of `phones` (a values_list query of E.164 numbers): fresh, stale, registered."""
    cutoff = now - WASH_VALID_FOR
    fresh = Q(dncr_checked_at__gte=cutoff)
    # One pass over the washes for all three counts (the job page shows them).
    counts = WashResult.objects.filter(agency=agency, phone__in=phones).aggregate(
        fresh=Count("pk", filter=fresh),
        stale=Count("pk", filter=Q(dncr_checked_at__lt=cutoff)),
        registered=Count("pk", filter=fresh & Q(registered=True)),
    )
    return WashCoverage(numbers=phones.order_by().distinct().count(), **counts)
