"""What the compliance page and the auditor's export show, read from the records kept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from calls.models import Call
from compliance.models import Consent, DialRefusal, WashResult
from compliance.rules import WASH_VALID_FOR
from contacts.csv_import import iter_csv_lines
from contacts.models import SuppressedNumber
from voqo import calling_window as window
from voqo.models import agency_zone

# Consents that lapse within this long are listed as "about to lapse".
LAPSE_WARNING = timedelta(days=14)
# The page lists this many rows of each kind; the export has them all.
SHOWN = 50


@dataclass
class ComplianceReport:
    since: datetime
    calls_checked: int = 0
    outside_window: list = field(default_factory=list)
    overridden: list = field(default_factory=list)
    refusals_by_code: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    stale_washes: int = 0
    registered_numbers: int = 0
    lapsing_consents: list = field(default_factory=list)
    opt_outs: list = field(default_factory=list)

    @property
    def refused_total(self) -> int:
        return sum(count for _, count in self.refusals_by_code)


def month_start(agency, now: datetime) -> datetime:
    """Midnight on the first of this month in the agency's time."""
    local = timezone.localtime(now, agency_zone(agency))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def outbound_calls(agency, since: datetime | None = None):
    calls = Call.objects.filter(agency=agency, direction=Call.Direction.OUTBOUND)
    if since is not None:
        calls = calls.filter(created_at__gte=since)
    return calls.select_related("contact").order_by("-created_at")


def dialled_outside_window(call: Call, default_state: str) -> bool:
    """Whether `call` was placed when its purpose's window was closed for its recipient."""
    state = call.contact.state if call.contact is not None else ""
    region = window.region_for_phone(call.to_phone, state)
    # Calls placed before purposes were kept were telemarketing calls.
    purpose = call.purpose or window.TELEMARKETING
    return not window.is_region_open(region, call.created_at, default_state, purpose)


def compliance_report(agency, *, now: datetime | None = None) -> ComplianceReport:
    """This month's compliance picture of `agency`."""
    now = now or timezone.now()
    report = ComplianceReport(since=month_start(agency, now))
    default_state = window.agency_default_state(agency)
    for call in outbound_calls(agency, report.since).iterator(chunk_size=2000):
        report.calls_checked += 1
        if dialled_outside_window(call, default_state):
            target = report.overridden if call.window_override_by else report.outside_window
            if len(target) < SHOWN:
                target.append(call)
    refusals = DialRefusal.objects.filter(agency=agency, refused_at__gte=report.since)
    codes = dict(DialRefusal.Code.choices)
    report.refusals_by_code = [
        (codes.get(code, code), count)
        for code, count in refusals.order_by()
        .values_list("code")
        .annotate(n=Count("id"))
        .order_by("-n")
    ]
    report.refusals = list(refusals[:SHOWN])
    washes = WashResult.objects.filter(agency=agency)
    report.stale_washes = washes.filter(dncr_checked_at__lt=now - WASH_VALID_FOR).count()
    report.registered_numbers = washes.filter(registered=True).count()
    report.lapsing_consents = list(
        Consent.objects.valid_at(now)
        .filter(agency=agency, expires_at__lte=now + LAPSE_WARNING)
        .select_related("contact")
        .order_by("expires_at")[:SHOWN]
    )
    report.opt_outs = list(
        SuppressedNumber.objects.filter(agency=agency, suppressed_at__gte=report.since).order_by(
            "-suppressed_at"
        )[:SHOWN]
    )
    return report


EXPORT_HEADERS = ["record", "phone", "when", "what", "detail"]


def export_lines(agency, *, now: datetime | None = None) -> Iterator[str]:
    """Everything an auditor asks for, as CSV (streamed, formula-safe): refused dials, calls
    outside their window, washes, consents and opt-outs, with times in the agency's zone."""
    now = now or timezone.now()
    zone = agency_zone(agency)
    default_state = window.agency_default_state(agency)

    def when(moment: datetime | None) -> str:
        return timezone.localtime(moment, zone).isoformat() if moment else ""

    def records():
        yield EXPORT_HEADERS
        for call in outbound_calls(agency).iterator(chunk_size=2000):
            if dialled_outside_window(call, default_state):
                detail = (
                    f"override by {call.window_override_by}: {call.window_override_reason}"
                    if call.window_override_by
                    else "no override"
                )
                yield [
                    "call outside window",
                    call.to_phone,
                    when(call.created_at),
                    call.purpose or window.TELEMARKETING,
                    detail,
                ]
        for refusal in DialRefusal.objects.filter(agency=agency).iterator(chunk_size=2000):
            yield [
                "refused dial",
                refusal.phone,
                when(refusal.refused_at),
                refusal.get_code_display(),
                refusal.reason,
            ]
        for wash in (
            WashResult.objects.filter(agency=agency).order_by("phone").iterator(chunk_size=2000)
        ):
            state = "registered" if wash.registered else "not registered"
            yield ["wash", wash.phone, when(wash.dncr_checked_at), state, wash.source]
        consents = Consent.objects.filter(agency=agency).select_related("contact", "call")
        for consent in consents.order_by("obtained_at").iterator(chunk_size=2000):
            detail = (
                f"{consent.get_method_display()}; by {consent.obtained_by}; until "
                f"{when(consent.expires_at)}"
                + (" (3 months: no period stated)" if consent.expiry_defaulted else "")
                + (
                    f"; withdrawn {when(consent.withdrawn_at)} ({consent.withdrawn_by})"
                    if consent.withdrawn_at
                    else ""
                )
                + (f"; evidence: {consent.evidence_note}" if consent.evidence_note else "")
                + (f"; call {consent.call_id}" if consent.call_id else "")
            )
            yield [
                "consent",
                consent.contact.phone,
                when(consent.obtained_at),
                consent.kind,
                detail,
            ]
        for suppression in (
            SuppressedNumber.objects.filter(agency=agency)
            .order_by("suppressed_at")
            .iterator(chunk_size=2000)
        ):
            yield [
                "opt-out",
                suppression.phone,
                when(suppression.suppressed_at),
                "calls and SMS",
                suppression.source,
            ]

    return iter_csv_lines(records())
