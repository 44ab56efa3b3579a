"""The built-in `search_listings` tool: agents ask Voqo for the agency's current stock.

Served through the custom-function proxy (functions.builtins): the agent's tool is a
`CustomFunction` with `builtin="search_listings"`, so it has the proxy's token, argument
check and invocation log. Answers are exact (only listings that match every criterion),
current (in stock now) and short: at most MAX_RESULTS compact results.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from functions.models import CustomFunction
from listings.models import Listing, ListingMention
from listings.stock import current_stock
from voqo.models import agency_zone

TOOL_NAME = "search_listings"
MAX_RESULTS = 5
DESCRIPTION = (
    "Search the agency's current property listings (for sale and for rent). Use it whenever a "
    "caller asks what is available, about a suburb, a price range, a number of bedrooms or a "
    "particular address. Returns at most 5 listings with the price as it may be quoted and "
    "the next open inspection. Never describe a property that this tool did not return."
)
PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "suburb": {"type": "string", "description": "Suburb name, e.g. Bondi"},
        "min_price": {
            "type": "number",
            "description": "Lowest price in dollars (weekly rent for rentals)",
        },
        "max_price": {
            "type": "number",
            "description": "Highest price in dollars (weekly rent for rentals)",
        },
        "bedrooms": {"type": "integer", "description": "Minimum number of bedrooms"},
        "category": {
            "type": "string",
            "description": "Property type, e.g. House, Unit, Apartment, Townhouse, Land",
        },
        "listing_type": {
            "type": "string",
            "description": "Exactly 'sale' or 'rent' (leave out for both)",
        },
        "query": {
            "type": "string",
            "description": "Free text: street name, feature or listing id",
        },
    },
}
# Text searching stops at this many words (a caller's sentence, not a document).
MAX_QUERY_WORDS = 6


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def search_listings(
    *,
    agency: Agency,
    suburb: str = "",
    min_price: Any = None,
    max_price: Any = None,
    bedrooms: Any = None,
    category: str = "",
    listing_type: str = "",
    query: str = "",
    limit: int = MAX_RESULTS,
) -> tuple[list[Listing], int]:
    """The agency's in-stock listings matching every given criterion: (first `limit`, total).

    The price compared is the weekly rent for rentals and the sale price otherwise; a price
    the agent does not display still filters (it is never read out).
    """
    suburb_key = suburb.strip().lower()
    category_key = category.strip().lower()
    listing_type = listing_type.strip().lower()
    rental = (
        True
        if listing_type in ("rent", "rental", "lease")
        else False
        if listing_type in ("sale", "buy")
        else None
    )
    low, high = _number(min_price), _number(max_price)
    fewest = bedrooms if isinstance(bedrooms, int) and not isinstance(bedrooms, bool) else 0
    words = query.lower().split()[:MAX_QUERY_WORDS]
    found, total = [], 0
    for row in current_stock(agency.pk):
        if suburb_key and row.suburb_key != suburb_key:
            continue
        if rental is not None and row.is_rental != rental:
            continue
        if low is not None and (row.search_price is None or row.search_price < low):
            continue
        if high is not None and (row.search_price is None or row.search_price > high):
            continue
        if fewest > 0 and row.bedrooms < fewest:
            continue
        if category_key and row.category_key != category_key:
            continue
        if words and (words[0] not in row.text or not all(w in row.text for w in words[1:])):
            continue
        total += 1
        if len(found) < limit:
            found.append(row.pk)
    listings = Listing.objects.in_bulk(found)
    return [listings[pk] for pk in found if pk in listings], total


def compact(listing: Listing, *, zone, now=None) -> dict[str, Any]:
    """One result as the agent reads it: what may be said, nothing more."""
    result: dict[str, Any] = {
        "id": listing.unique_id,
        "address": listing.display_address,
        "type": listing.category or listing.get_kind_display(),
        "for": "rent" if listing.is_rental else "sale",
        "price": listing.display_price,
    }
    if listing.status == Listing.Status.UNDER_OFFER:
        result["status"] = "under offer"
    features = [
        f"{count} {label}"
        for count, label in (
            (listing.bedrooms, "bed"),
            (listing.bathrooms, "bath"),
            (listing.car_spaces, "car"),
        )
        if count
    ]
    if features:
        result["features"] = ", ".join(features)
    if listing.headline:
        result["headline"] = listing.headline[:120]
    upcoming = listing.next_inspection(now)
    if upcoming:
        start, end = (moment.astimezone(zone) for moment in upcoming)
        result["next_inspection"] = (
            f"{start:%A} {start.day} {start:%B} {_clock(start)} to {_clock(end)}"
        )
    else:
        result["next_inspection"] = "none scheduled; offer a private inspection"
    if listing.is_rental and listing.date_available:
        result["available_from"] = f"{listing.date_available.day} {listing.date_available:%B %Y}"
    if listing.agent_name:
        result["listing_agent"] = listing.agent_name
    return result


def _clock(moment) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def answer_search(
    *, function: CustomFunction, arguments: dict[str, Any], conversation_id: str
) -> dict[str, Any]:
    """The tool's answer for `arguments` (already checked against PARAMETERS)."""
    agency = function.agency
    criteria = {
        key: arguments[key]
        for key in (
            "suburb",
            "min_price",
            "max_price",
            "bedrooms",
            "category",
            "listing_type",
            "query",
        )
        if arguments.get(key) not in (None, "")
    }
    found, total = search_listings(agency=agency, **criteria)
    now, zone = timezone.now(), agency_zone(agency)
    if conversation_id and found:
        ListingMention.objects.bulk_create(
            [
                ListingMention(agency=agency, listing=listing, conversation_id=conversation_id)
                for listing in found
            ],
            ignore_conflicts=True,
        )
    if not found:
        return {
            "results": [],
            "total": 0,
            "message": "No current listing matches all of that. Offer to widen the search "
            "(another suburb, price or fewer bedrooms), or to take the caller's details.",
        }
    answer: dict[str, Any] = {
        "results": [compact(listing, zone=zone, now=now) for listing in found],
        "total": total,
    }
    if total > len(found):
        answer["message"] = (
            f"{total} listings match; these are the {len(found)} newest. Ask the caller to "
            "narrow it down (suburb, price, bedrooms) to hear others."
        )
    return answer


# -- the agent's switch ---------------------------------------------------------------------


def search_tool(agent: Agent) -> CustomFunction | None:
    return CustomFunction.objects.filter(agent=agent, builtin=TOOL_NAME).first()


def set_search_tool(*, agent: Agent, enabled: bool) -> list[str]:
    """Give `agent` the search_listings tool, or take it away; returns sync problems."""
    from functions.services import invoke_url, sync_function

    function = search_tool(agent)
    if function is None:
        if not enabled:
            return []
        function = CustomFunction(
            agent=agent,
            agency_id=agent.agency_id,
            name=TOOL_NAME,
            description=DESCRIPTION,
            endpoint="https://voqo.invalid/",
            parameters=PARAMETERS,
            builtin=TOOL_NAME,
            timeout=10,
            enabled=True,
        )
        function.save()
        # The proxy URL is the function's own (shown on the functions page).
        function.endpoint = invoke_url(function)
        function.save(update_fields=["endpoint"])
    elif function.enabled == enabled:
        return []
    else:
        function.enabled = enabled
        function.save(update_fields=["enabled", "updated_at"])
    return sync_function(function)
