"""django-q2 entry points of the knowledge domain: thin, they call services."""

from knowledge import listings_document, services
from knowledge.models import KnowledgeDocument


def process_document(document_id: str) -> None:
    document = KnowledgeDocument.objects.filter(pk=document_id).first()
    if document is not None and document.status == KnowledgeDocument.Status.PROCESSING:
        services.process_document(document)


def regenerate_listings_document(agency_id: str) -> None:
    listings_document.regenerate(agency_id=agency_id)


def refresh_listings_documents() -> int:
    return listings_document.refresh_all()
