"""The contact's profile: typed real-estate facts that calls teach and staff correct.

Stored on `Contact.profile` as `{fact: {"value", "source", "call_id", "at", "by"}}` — on
the contact row itself, so the initiation answer still reads the caller in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from contacts.models import Contact

ROLES = ("buyer", "seller", "tenant", "landlord")
MAX_LIST_ITEMS = 10
MAX_TEXT_CHARS = 200


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    kind: str  # "role", "list", "number", "text"


FACTS = (
    Fact("role", "Role", "role"),
    Fact("suburbs", "Suburbs of interest", "list"),
    Fact("budget", "Budget ($)", "number"),
    Fact("bedrooms", "Bedrooms", "number"),
    Fact("finance", "Finance", "text"),
    Fact("properties", "Properties enquired about", "list"),
    Fact("inspections", "Inspections booked", "list"),
    Fact("appraisals", "Appraisals booked", "list"),
)
FACTS_BY_KEY = {fact.key: fact for fact in FACTS}


class ProfileValueError(ValueError):
    """A fact's value does not fit its type; the message says why."""


def clean_value(key: str, value: Any) -> Any:
    """`value` as fact `key` stores it; None for empty. Raises ProfileValueError."""
    fact = FACTS_BY_KEY.get(key)
    if fact is None:
        raise ProfileValueError(f"“{key}” is not a profile fact.")
    if value is None or value == "" or value == []:
        return None
    if fact.kind == "role":
        role = str(value).strip().lower()
        if role not in ROLES:
            raise ProfileValueError(f"Role must be one of {', '.join(ROLES)}.")
        return role
    if fact.kind == "number":
        text = str(value).replace("$", "").replace(",", "").strip()
        try:
            number = float(text)
        except ValueError:
            raise ProfileValueError(f"{fact.label} must be a number.") from None
        if not 0 <= number < 1e10 or number != number:
            raise ProfileValueError(f"{fact.label} must be a positive number.")
        return int(number) if number == int(number) else number
    if fact.kind == "list":
        items = value if isinstance(value, list) else str(value).replace("\n", ",").split(",")
        cleaned: list[str] = []
        for item in items:
            text = " ".join(str(item).split())[:MAX_TEXT_CHARS]
            if text and text.casefold() not in {c.casefold() for c in cleaned}:
                cleaned.append(text)
        return cleaned[:MAX_LIST_ITEMS] or None
    text = " ".join(str(value).split())[:MAX_TEXT_CHARS]
    return text or None


def _entry(value: Any, *, source: str, call_id=None, by: str = "", at: datetime) -> dict:
    return {
        "value": value,
        "source": source,
        "call_id": str(call_id) if call_id else "",
        "by": by,
        "at": at.isoformat(),
    }


def learn_from_call(contact: Contact, facts: dict[str, Any], *, call_id, at: datetime) -> None:
    """Add what a call taught about the contact: scalar facts are replaced, lists extended.

    Values that do not fit their fact are ignored (the call's outcome keeps them).
    """
    with transaction.atomic():
        current = Contact.objects.filter(pk=contact.pk).values_list("profile", flat=True).first()
        profile = dict(current or {})
        changed = False
        for key, raw in facts.items():
            try:
                value = clean_value(key, raw)
            except ProfileValueError:
                continue
            if value is None:
                continue
            if FACTS_BY_KEY[key].kind == "list":
                known = (profile.get(key) or {}).get("value") or []
                merged = clean_value(key, [*known, *value])
                if merged == known:
                    continue
                value = merged
            elif (profile.get(key) or {}).get("value") == value:
                continue
            profile[key] = _entry(value, source="call", call_id=call_id, at=at)
            changed = True
        if changed:
            Contact.objects.filter(pk=contact.pk).update(profile=profile, updated_at=timezone.now())
            contact.profile = profile


def edit_profile(contact: Contact, values: dict[str, Any], *, by: str) -> list[str]:
    """Set the facts staff typed (empty clears one); returns the keys that changed."""
    profile = dict(contact.profile or {})
    changed = []
    now = timezone.now()
    for key, raw in values.items():
        value = clean_value(key, raw)
        if value == (profile.get(key) or {}).get("value"):
            continue
        changed.append(key)
        if value is None:
            profile.pop(key, None)
        else:
            profile[key] = _entry(value, source="manual", by=by, at=now)
    if changed:
        contact.profile = profile
        contact.save(update_fields=["profile", "updated_at"])
    return changed


def display_value(key: str, value: Any) -> str:
    fact = FACTS_BY_KEY.get(key)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if fact is not None and fact.key == "budget" and isinstance(value, int | float):
        return f"${value:,.0f}"
    return str(value)


def profile_rows(profile: dict | None) -> list[dict[str, Any]]:
    """The known facts in display order, each with its label, value and provenance."""
    rows = []
    for fact in FACTS:
        entry = (profile or {}).get(fact.key)
        if not isinstance(entry, dict) or entry.get("value") in (None, "", []):
            continue
        rows.append(
            {
                "key": fact.key,
                "label": fact.label,
                "value": display_value(fact.key, entry["value"]),
                "source": entry.get("source", ""),
                "call_id": entry.get("call_id", ""),
                "by": entry.get("by", ""),
                "at": _parse_time(entry.get("at")),
            }
        )
    return rows


def profile_lines(profile: dict | None) -> list[str]:
    """The profile as lines for the agent's caller context ("Role: buyer")."""
    return [f"{row['label']}: {row['value']}" for row in profile_rows(profile)]


def form_initial(profile: dict | None) -> dict[str, str]:
    initial = {}
    for fact in FACTS:
        entry = (profile or {}).get(fact.key) or {}
        value = entry.get("value")
        if value not in (None, "", []):
            initial[fact.key] = ", ".join(value) if isinstance(value, list) else str(value)
    return initial


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None
