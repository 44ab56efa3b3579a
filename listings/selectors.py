"""Reads of the listings domain that other apps use."""

from __future__ import annotations

from django.db.models import Q

from listings.models import Listing

MAX_MATCHES = 5


def listings_named_in_conversation(*, agency, conversation_id: str) -> list[Listing]:
    """The listings the `search_listings` tool named during one conversation."""
    if not conversation_id:
        return []
    return list(
        Listing.objects.filter(agency=agency, mentions__conversation_id=conversation_id).distinct()
    )


def listings_at_address(*, agency, address: str) -> list[Listing]:
    """The agency's listings at an address as a caller says it ("12 Ocean Street, Bondi"),
    or with that feed id; a suburb after the street narrows the match."""
    words = [" ".join(part.split()) for part in str(address).split(",")]
    street = words[0] if words else ""
    if not street:
        return []
    found = list(
        Listing.objects.filter(agency=agency)
        .filter(Q(street_address__iexact=street) | Q(unique_id__iexact=street))
        .order_by("-updated_at")[:MAX_MATCHES]
    )
    places = " ".join(words[1:]).lower()
    narrowed = [listing for listing in found if listing.suburb_key and listing.suburb_key in places]
    return narrowed or found
