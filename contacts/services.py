"""What the contacts domain does: CSV import and export, "Call now" (opt-outs: opt_out.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, tzinfo

from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from calls.models import Call
from calls.outbound import OutboundCallRefused, WindowOverride, place_outbound_call
from contacts.csv_import import iter_csv_lines
from contacts.models import Contact
from contacts.personalisation import caller_variables
from voqo.calling_window import TELEMARKETING
from voqo.models import agency_zone
from voqo.phones import try_normalize_phone

MAX_TAGS = 20
MAX_TAG_CHARS = 50
_TAG_SEPARATORS = re.compile(r"[,;|]")


def parse_tags(text: str) -> list[str]:
    """'vip, buyer;Buyer' → ['vip', 'buyer']: trimmed, de-duplicated (case-insensitive)."""
    tags: list[str] = []
    seen: set[str] = set()
    for raw in _TAG_SEPARATORS.split(text or ""):
        tag = raw.strip()[:MAX_TAG_CHARS]
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags[:MAX_TAGS]


# --- Search --------------------------------------------------------------------------


def search_contacts(queryset: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """Contacts whose name contains `text` or whose number matches it, however it is typed.

    A complete number in any format ("0412 345 678", "+61 412 345 678") matches exactly; a
    run of 3+ digits matches anywhere in the stored E.164 number, with a national leading 0
    dropped ("0412 345" finds +61412345678).
    """
    text = text.strip()
    if not text:
        return queryset
    condition = Q(name__icontains=text)
    phone = try_normalize_phone(text)
    if phone:
        condition |= Q(phone=phone)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 3 and not phone:
        if digits.startswith("0") and not digits.startswith("00"):
            digits = digits[1:]
        condition |= Q(phone__contains=digits)
    return queryset.filter(condition)


def filter_by_tag(queryset: QuerySet[Contact], tag: str) -> QuerySet[Contact]:
    """Contacts carrying `tag` (exact, case-insensitive where the database allows)."""
    if connection.features.supports_json_field_contains:
        return queryset.filter(tags__contains=[tag])
    # SQLite has no JSON containment: match the quoted tag inside the stored JSON list.
    return queryset.filter(tags__icontains=json.dumps(tag))


def _tags_key(agency: Agency) -> str:
    return f"voqo:contacts:tags:{agency.pk}"


def forget_known_tags(agency: Agency) -> None:
    """Drop the cached tag suggestions of `agency` (after an import added tags)."""
    cache.delete(_tags_key(agency))


def known_tags(*, agency: Agency, limit: int = 200) -> list[str]:
    """Every tag `agency`'s contacts use (for the filter's suggestions), cached a minute."""
    tags = cache.get(_tags_key(agency))
    if tags is None:
        seen: dict[str, str] = {}
        for tag_list in (
            Contact.objects.filter(agency=agency)
            .exclude(tags=[])
            .values_list("tags", flat=True)
            .iterator(chunk_size=2000)
        ):
            for tag in tag_list or []:
                seen.setdefault(str(tag).lower(), str(tag))
        tags = sorted(seen.values(), key=str.lower)[:limit]
        cache.set(_tags_key(agency), tags, 60)
    return tags


# --- Call now ------------------------------------------------------------------------


def call_now(
    *,
    agency: Agency,
    agent: Agent,
    phone: str,
    contact: Contact | None = None,
    window_override: WindowOverride | None = None,
    caller_number=None,
    dynamic_variables: dict[str, str] | None = None,
    purpose: str = TELEMARKETING,
) -> Call:
    """Dial `phone` with `agent` for `purpose` from `caller_number` (None: the agency's
    default caller ID), personalised for the agent's agency's contact with that number;
    `dynamic_variables` (from the API) are added to, and win over, the caller's.

    The call record exists (status initiated) before the provider is asked. Raises
    OutboundCallRefused (a suspended agency, opted out, agent disabled or unsynced, or
    outside the calling window without an owner's override: nothing dialled) or
    calls.outbound.OutboundCallFailed (the provider's error; the call is marked failed).
    """
    if not agency.active:
        raise OutboundCallRefused(
            f"{agency.name} is suspended, so Voqo places no calls for it until it is active."
        )
    if contact is None:
        contact = Contact.objects.filter(agency=agency, phone=phone).first()
    variables = caller_variables(phone=phone, contact=contact, agent_name=agent.name, agency=agency)
    variables.update(dynamic_variables or {})
    return place_outbound_call(
        agent=agent,
        to_phone=phone,
        dynamic_variables=variables,
        contact=contact,
        window_override=window_override,
        caller_number=caller_number,
        purpose=purpose,
    )


# --- CSV export ----------------------------------------------------------------------

# The import maps these headers back by name (contacts.csv_mapping), opt-outs included, so
# an export re-imported into an empty install keeps who must not be called.
EXPORT_HEADERS = [
    "name",
    "phone",
    "email",
    "notes",
    "tags",
    "state",
    "opted_out_at",
    "opted_out_by",
    "last_call_at",
    "created_at",
]


def local_iso(moment: datetime | None, zone: tzinfo) -> str:
    """An export timestamp in the agency's zone with its offset (2026-03-11T13:00:00+11:00)."""
    return timezone.localtime(moment, zone).isoformat() if moment else ""


def export_contacts_csv(
    *, agency: Agency, queryset: QuerySet[Contact] | None = None
) -> Iterator[str]:
    """`agency`'s contacts as CSV lines (header first), streamed, safe to open in a
    spreadsheet.

    Times are in the agency's zone (Settings), with the offset, so a spreadsheet shows the
    agency's clock and nothing is lost for a program that reads them.
    """
    queryset = (Contact.objects.all() if queryset is None else queryset).filter(agency=agency)
    zone = agency_zone(agency)

    def records():
        yield EXPORT_HEADERS
        rows = queryset.order_by("name", "phone").values_list(*EXPORT_HEADERS)
        for row in rows.iterator(chunk_size=2000):
            values = dict(zip(EXPORT_HEADERS, row, strict=True))
            values["tags"] = ", ".join(values["tags"] or [])
            for name in ("opted_out_at", "last_call_at", "created_at"):
                values[name] = local_iso(values[name], zone)
            yield [values[name] for name in EXPORT_HEADERS]

    return iter_csv_lines(records())
