"""The agency's dispositions: the real-estate defaults, and what agent sync sends for them.

PRODUCT.md §12: besides `caller_name` and `caller_memories`, every agent collects `outcome`
(one of the agency's disposition keys), `outcome_confidence` (0–1) and one item per detail,
named `<outcome key>__<detail key>`.
"""

from __future__ import annotations

from typing import Any

from outcomes.models import UNKNOWN, DetailType, Disposition
from outcomes.selectors import forget_agency_labels

OUTCOME_ITEM = "outcome"
CONFIDENCE_ITEM = "outcome_confidence"
DETAIL_SEPARATOR = "__"
NEED_HANDLED_CRITERION = "need_handled"

# ElevenLabs' data-collection item types for each detail type (LiteralJsonSchemaProperty).
ITEM_TYPES = {
    DetailType.TEXT: "string",
    DetailType.NUMBER: "number",
    DetailType.DATETIME: "string",
    DetailType.PHONE: "string",
    DetailType.SUBURB: "string",
    DetailType.YES_NO: "boolean",
}
TYPE_HINTS = {
    DetailType.DATETIME: " As an ISO 8601 date and time (2026-03-14T10:00).",
    DetailType.PHONE: " As the number the caller gave, digits only.",
    DetailType.SUBURB: " Suburb names, comma-separated.",
}


def _detail(key: str, label: str, kind: str = DetailType.TEXT, description: str = "") -> dict:
    return {"key": key, "label": label, "type": str(kind), "description": description or label}


# (key, label, description for the model, details, converts)
REAL_ESTATE_DEFAULTS: list[tuple[str, str, str, list[dict], bool]] = [
    (
        "appraisal_booked",
        "Appraisal booked",
        "The caller booked an appraisal of a property they own.",
        [
            _detail("address", "Address", description="The address of the property to appraise."),
            _detail("preferred_time", "Preferred time", DetailType.DATETIME),
        ],
        True,
    ),
    (
        "inspection_booked",
        "Inspection booked",
        "The caller booked an inspection or open home of a listing.",
        [
            _detail("listing", "Listing", description="The address of the listing."),
            _detail("time", "Time", DetailType.DATETIME, "When the inspection is."),
        ],
        True,
    ),
    (
        "buyer_enquiry",
        "Buyer enquiry",
        "The caller wants to buy and asked about properties, without booking.",
        [
            _detail("suburbs", "Suburbs", DetailType.SUBURB, "Suburbs the buyer is looking in."),
            _detail("budget", "Budget", DetailType.NUMBER, "Top of the budget in dollars."),
            _detail("bedrooms", "Bedrooms", DetailType.NUMBER),
            _detail(
                "finance_status",
                "Finance status",
                description="Pre-approved, arranging finance, cash buyer, or unknown.",
            ),
        ],
        True,
    ),
    (
        "seller_lead",
        "Seller lead",
        "The caller is thinking of selling a property, without booking an appraisal.",
        [
            _detail("address", "Address", description="The address of the property to sell."),
            _detail("timeframe", "Timeframe", description="When they hope to sell."),
        ],
        True,
    ),
    (
        "rental_enquiry",
        "Rental enquiry",
        "The caller wants to rent a property, or asked about a rental listing.",
        [],
        True,
    ),
    (
        "maintenance_request",
        "Maintenance request",
        "A tenant reported something that needs fixing.",
        [
            _detail("address", "Address", description="The rented property's address."),
            _detail("issue", "Issue", description="What needs fixing."),
            _detail("urgency", "Urgency", description="Urgent (safety, water, power) or routine."),
        ],
        False,
    ),
    (
        "callback_requested",
        "Callback requested",
        "The caller asked for someone to call them back.",
        [_detail("when", "When", DetailType.DATETIME, "When they want the call back.")],
        False,
    ),
    ("not_interested", "Not interested", "The caller is not interested.", [], False),
    ("wrong_number", "Wrong number", "The caller reached the agency by mistake.", [], False),
    ("voicemail", "Voicemail", "The call reached voicemail or an answering machine.", [], False),
    ("no_conversation", "No conversation", "Nobody spoke, or the call dropped at once.", [], False),
]


def create_default_dispositions(agency_id, *, model=Disposition) -> int:
    """Give the agency the real-estate defaults it lacks (by key); returns how many were made.

    `model` is the historical model when a migration calls it.
    """
    existing = set(model.objects.filter(agency_id=agency_id).values_list("key", flat=True))
    rows = [
        model(
            agency_id=agency_id,
            key=key,
            label=label,
            description=description,
            details=details,
            converts=converts,
            position=position,
        )
        for position, (key, label, description, details, converts) in enumerate(
            REAL_ESTATE_DEFAULTS
        )
        if key not in existing
    ]
    model.objects.bulk_create(rows)
    forget_agency_labels(agency_id)  # bulk_create sends no post_save
    return len(rows)


def give_new_agency_defaults(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """`post_save` of Agency: a new agency starts with the real-estate dispositions."""
    if created and not raw:
        create_default_dispositions(instance.pk)


def dispositions_of(agency) -> list[Disposition]:
    return list(Disposition.objects.filter(agency=agency))


def detail_item_name(disposition_key: str, detail_key: str) -> str:
    return f"{disposition_key}{DETAIL_SEPARATOR}{detail_key}"


def data_collection_items(agency) -> dict[str, dict[str, Any]]:
    """The outcome's data-collection items for `agency`'s agents (besides the caller's)."""
    dispositions = dispositions_of(agency)
    keys = ", ".join(d.key for d in dispositions)
    guide = "; ".join(f"{d.key}: {d.description or d.label}" for d in dispositions)
    items: dict[str, dict[str, Any]] = {
        # LiteralJsonSchemaProperty has no enum: the allowed values are in the description.
        OUTCOME_ITEM: {
            "type": "string",
            "description": (
                f"The call's outcome: exactly one of {keys}. Meanings — {guide}. "
                "Empty if none fits."
            )[:2000],
        },
        CONFIDENCE_ITEM: {
            "type": "number",
            "description": "How sure you are of the outcome, from 0 (a guess) to 1 (certain).",
        },
    }
    for disposition in dispositions:
        for detail in disposition.details:
            kind = detail.get("type", DetailType.TEXT)
            items[detail_item_name(disposition.key, detail["key"])] = {
                "type": ITEM_TYPES.get(kind, "string"),
                "description": (
                    f"Only when the outcome is {disposition.key}: "
                    f"{detail.get('description') or detail.get('label') or detail['key']}."
                    f"{TYPE_HINTS.get(kind, '')} Empty otherwise."
                ),
            }
    return items


def evaluation_criteria() -> list[dict[str, Any]]:
    """The evaluation criterion every agent is judged by (PromptEvaluationCriteria)."""
    return [
        {
            "id": NEED_HANDLED_CRITERION,
            "name": "The caller's need was handled",
            "type": "prompt",
            "conversation_goal_prompt": (
                "Success if the caller's need was handled during the call: their question "
                "answered, a booking made, their details taken for a callback or a request "
                "logged. Failure if they hung up without help or were left waiting."
            ),
            "use_knowledge_base": False,
        }
    ]


def label_for(agency, key: str) -> str:
    if key == UNKNOWN:
        return "Unknown"
    row = Disposition.objects.filter(agency=agency, key=key).values_list("label", flat=True)
    return row.first() or key.replace("_", " ").capitalize()
