"""Who a lead alert rule's alert is for, on one call: the on-call number, a named staff
member, the contact's owner or the listing's agent — or why nobody could be found."""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Membership
from calls.models import Call
from listings.models import Listing
from listings.selectors import listings_at_address, listings_named_in_conversation
from outcomes.models import LeadAlertRule, Outcome
from voqo.phones import try_normalize_phone

# The outcome details that name the property a call was about.
LISTING_DETAILS = ("listing", "address")


@dataclass(frozen=True)
class Recipient:
    label: str
    phone: str = ""
    email: str = ""
    # Why the alert cannot go to anyone (no owner, no listing…): recorded as skipped.
    problem: str = ""
    # The recipient is a member who chose to get no lead alerts by SMS.
    sms_opted_out: bool = False


def resolve_recipient(rule: LeadAlertRule, *, call: Call, outcome: Outcome) -> Recipient:
    """Where `rule`'s alert about `call` goes."""
    if rule.recipient == LeadAlertRule.Recipient.CONTACT_OWNER:
        return _contact_owner(call)
    if rule.recipient == LeadAlertRule.Recipient.LISTING_AGENT:
        return _listing_agent(call, outcome)
    if rule.recipient == LeadAlertRule.Recipient.STAFF:
        return _staff_member(rule, call)
    return Recipient("On call", phone=rule.phone, email=rule.email)


def _member(agency, **lookup) -> Membership | None:
    return Membership.objects.filter(agency=agency, **lookup).select_related("user").first()


def _from_member(label: str, member: Membership, *, phone: str = "", email: str = ""):
    return Recipient(
        label,
        phone=phone or member.alert_phone,
        email=email or member.user.email,
        sms_opted_out=member.sms_alerts_opted_out_at is not None,
    )


def _staff_member(rule: LeadAlertRule, call: Call) -> Recipient:
    user = rule.staff_member
    if user is None:
        return Recipient("Staff member", problem="The rule's staff member no longer exists.")
    label = f"Staff member {user.get_username()}"
    member = _member(call.agency, user=user)
    if member is None:
        return Recipient(label, problem=f"{user.get_username()} is no longer a member.")
    return _from_member(label, member, phone=rule.phone, email=rule.email)


def _contact_owner(call: Call) -> Recipient:
    contact = call.contact
    if contact is None:
        return Recipient("Contact's owner", problem="The call has no contact, so no owner.")
    if contact.owner_id is None:
        return Recipient("Contact's owner", problem=f"{contact.name} has no owner.")
    owner = contact.owner
    label = f"Contact's owner {owner.get_username()}"
    member = _member(call.agency, user_id=contact.owner_id)
    if member is None:
        return Recipient(label, problem=f"{owner.get_username()} is no longer a member.")
    return _from_member(label, member)


def _listing_agent(call: Call, outcome: Outcome) -> Recipient:
    listing, problem = call_listing(call, outcome)
    if listing is None:
        return Recipient("Listing's agent", problem=problem)
    name = listing.agent_name or "the agent"
    label = f"Listing's agent {name} ({listing.display_address})"
    phone = try_normalize_phone(listing.agent_phone) or ""
    email = listing.agent_email.strip()
    # The agent may be a member of the agency: their alert mobile and SMS choice apply.
    member = _member(call.agency, user__email__iexact=email) if email else None
    if member is not None:
        return _from_member(label, member, phone=member.alert_phone or phone, email=email)
    if not phone and not email:
        return Recipient(label, problem=f"The listing {listing.display_address} has no agent.")
    return Recipient(label, phone=phone, email=email)


def call_listing(call: Call, outcome: Outcome) -> tuple[Listing | None, str]:
    """The listing the call was about — the one its outcome's details name (narrowed to those
    its search_listings tool calls named), else the one listing those tool calls named —
    or None and why not."""
    named = listings_named_in_conversation(
        agency=call.agency, conversation_id=call.elevenlabs_conversation_id or ""
    )
    details = outcome.extracted_data or {}
    address = next((str(details[key]) for key in LISTING_DETAILS if details.get(key)), "")
    if address:
        matches = listings_at_address(agency=call.agency, address=address)
        among_named = [listing for listing in matches if listing in named]
        matches = among_named or matches
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, f"{len(matches)} listings match “{address}”."
    if len(named) == 1:
        return named[0], ""
    if named:
        return None, f"The call named {len(named)} listings and its outcome does not say which."
    if address:
        return None, f"No listing matches “{address}”."
    return None, "The call was not about a listing (none in its outcome or its searches)."
