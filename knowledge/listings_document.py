"""The generated knowledge document of an agency's current stock.

Regenerated when stock changes (`listings.signals.stock_changed`), debounced, and uploaded
again only when its text changed; agents switch it on by having it attached.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.utils import timezone

from agencies.models import Agency
from knowledge import services
from knowledge.models import KnowledgeDocument
from knowledge.queue import schedule_listings_regeneration
from listings.models import Listing
from listings.tool import compact
from voqo.models import agency_zone

DOCUMENT_NAME = "Current listings"
MAX_LISTINGS = 2_000


def listings_text(agency: Agency) -> str:
    """Every in-stock listing as a short paragraph, with only what may be said."""
    zone, now = agency_zone(agency), timezone.now()
    listings = Listing.objects.filter(agency=agency, status__in=Listing.IN_STOCK).order_by(
        "suburb_key", "street_address", "unique_id"
    )[:MAX_LISTINGS]
    paragraphs = [
        f"{agency.name}: current listings. Prices are as the agents advertise them; a listing "
        "not named here is not available."
    ]
    for listing in listings:
        facts = compact(listing, zone=zone, now=now)
        lines = [f"{facts['address']} ({facts['type']}, for {facts['for']}), id {facts['id']}"]
        lines += [
            f"{label}: {facts[key]}"
            for key, label in (
                ("price", "Price"),
                ("status", "Status"),
                ("features", "Features"),
                ("headline", "Headline"),
                ("next_inspection", "Next inspection"),
                ("available_from", "Available from"),
                ("listing_agent", "Listing agent"),
            )
            if key in facts
        ]
        paragraphs.append("\n".join(lines))
    if len(paragraphs) == 1:
        paragraphs.append("There are no listings on the market right now.")
    return "\n\n".join(paragraphs)


def listings_document(agency: Agency) -> KnowledgeDocument | None:
    return KnowledgeDocument.objects.filter(
        agency=agency, source=KnowledgeDocument.Source.LISTINGS
    ).first()


def ensure_listings_document(agency: Agency) -> KnowledgeDocument:
    """The agency's listings document, generated and uploaded now if it did not exist."""
    document = listings_document(agency)
    if document is not None:
        return document
    try:
        document = KnowledgeDocument.objects.create(
            agency=agency,
            name=DOCUMENT_NAME,
            source=KnowledgeDocument.Source.LISTINGS,
            file_type=KnowledgeDocument.FileType.TEXT,
            text=listings_text(agency),
        )
    except IntegrityError:  # made meanwhile by another request
        return listings_document(agency)
    return services.process_document(document)


def regenerate(*, agency_id) -> KnowledgeDocument | None:
    """Write the document again from current stock; upload it only when its text changed."""
    agency = Agency.objects.filter(pk=agency_id).first()
    document = listings_document(agency) if agency else None
    if document is None:
        return None
    document.text = listings_text(agency)
    document.status = KnowledgeDocument.Status.PROCESSING
    document.save(update_fields=["text", "status", "updated_at"])
    return services.process_document(document)


def refresh_all() -> int:
    """Regenerate every agency's listings document (the daily tick); returns how many."""
    agency_ids = list(
        KnowledgeDocument.objects.filter(source=KnowledgeDocument.Source.LISTINGS).values_list(
            "agency_id", flat=True
        )
    )
    for agency_id in agency_ids:
        regenerate(agency_id=agency_id)
    return len(agency_ids)


def on_stock_changed(sender, *, agency: Agency, **kwargs) -> None:
    """A listings import changed current stock: regenerate the document soon (debounced)."""
    if listings_document(agency) is not None:
        schedule_listings_regeneration(agency.pk)


def set_listings_document(*, agent, enabled: bool) -> list[str]:
    """Switch the listings document on or off for `agent`."""
    document = (
        ensure_listings_document(agent.agency) if enabled else listings_document(agent.agency)
    )
    if document is None:
        return []
    attached = document.agents.filter(pk=agent.pk).exists()
    if attached == enabled:
        return []
    if enabled:
        document.agents.add(agent)
    else:
        document.agents.remove(agent)
    return services.sync_agents([agent])
