"""What the knowledge domain does: keep each document in step with its ElevenLabs twin, and
each agent's knowledge base in step with the documents attached to it.

Content at ElevenLabs cannot be edited, so a changed document is uploaded again: the new
copy is attached to its agents first, then the old one is deleted.
"""

from __future__ import annotations

import hashlib
import logging

from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from functions import egress
from knowledge import extraction
from knowledge.models import KnowledgeDocument
from knowledge.queue import queue_processing
from voqo.events import record_audit
from voqo.providers import ProviderError, get_provider

logger = logging.getLogger(__name__)

URL_TIMEOUT_SECS = 20.0
URL_MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "Voqo-Knowledge/1.0"


# -- adding --------------------------------------------------------------------------------


def add_file(*, agency: Agency, name: str, upload, file_type: str, actor: str = "", by=None):
    """Keep an uploaded file (checked by the form) and queue its processing."""
    document = KnowledgeDocument(
        agency=agency,
        name=(name or upload.name)[:200],
        source=KnowledgeDocument.Source.FILE,
        file_type=file_type,
        original_filename=upload.name[:255],
        file_size=upload.size,
        created_by=actor[:150],
    )
    document.file.save(f"{document.id}.{file_type}", upload, save=False)
    document.save()
    _added(document, by)
    queue_processing(document.id)
    return document


def add_url(*, agency: Agency, name: str, url: str, actor: str = "", by=None) -> KnowledgeDocument:
    """A web page the agents can cite; fetched (SSRF-guarded) to check and measure it."""
    document = KnowledgeDocument.objects.create(
        agency=agency,
        name=(name or url)[:200],
        source=KnowledgeDocument.Source.URL,
        file_type=KnowledgeDocument.FileType.URL,
        url=url,
        created_by=actor[:150],
    )
    _added(document, by)
    queue_processing(document.id)
    return document


def add_text(
    *, agency: Agency, name: str, text: str, actor: str = "", by=None
) -> KnowledgeDocument:
    """Pasted text the agents can cite."""
    document = KnowledgeDocument.objects.create(
        agency=agency,
        name=name[:200],
        source=KnowledgeDocument.Source.TEXT,
        file_type=KnowledgeDocument.FileType.TEXT,
        text=extraction.normalise(text),
        file_size=len(text.encode("utf-8")),
        created_by=actor[:150],
    )
    _added(document, by)
    queue_processing(document.id)
    return document


def _added(document: KnowledgeDocument, by) -> None:
    record_audit(
        document.agency,
        by,
        "knowledge.document_added",
        f"Added knowledge document {document.name}",
        detail={"source": document.source, "url": document.url},
        target=f"knowledge_document:{document.pk}",
    )


def replace_text(*, document: KnowledgeDocument, name: str, text: str | None) -> None:
    """Rename a document, and change a pasted or generated text; re-synced when it changed."""
    fields = ["name", "updated_at"]
    document.name = name[:200]
    if text is not None and document.source in (
        KnowledgeDocument.Source.TEXT,
        KnowledgeDocument.Source.LISTINGS,
    ):
        document.text = extraction.normalise(text)
        document.file_size = len(text.encode("utf-8"))
        document.status = KnowledgeDocument.Status.PROCESSING
        fields += ["text", "file_size", "status"]
    document.save(update_fields=fields)
    if "text" in fields:
        queue_processing(document.id)


def resync(document: KnowledgeDocument) -> None:
    """Process the document again (a URL is fetched again; a failed upload is retried)."""
    document.status = KnowledgeDocument.Status.PROCESSING
    document.synced_hash = (
        "" if document.source == KnowledgeDocument.Source.URL else (document.synced_hash)
    )
    document.save(update_fields=["status", "synced_hash", "updated_at"])
    queue_processing(document.id)


# -- processing ----------------------------------------------------------------------------


def _fail(document: KnowledgeDocument, message: str) -> KnowledgeDocument:
    document.status = KnowledgeDocument.Status.ERROR
    document.error_message = message
    document.save(update_fields=["status", "error_message", "updated_at"])
    return document


def _fetch_page(url: str) -> tuple[bytes, str]:
    response = egress.send_request(
        egress.OutgoingRequest(
            method="GET",
            url=url,
            headers={"Accept": "text/html, text/plain, application/pdf", "User-Agent": USER_AGENT},
            body=None,
            timeout=URL_TIMEOUT_SECS,
            max_bytes=URL_MAX_BYTES,
        )
    )
    if not 200 <= response.status < 300:
        raise extraction.ExtractionError(f"The page answered HTTP {response.status}.")
    content_type = response.content_type.split(";")[0].strip().lower()
    if content_type == "application/pdf":
        return response.body, "pdf"
    if content_type in ("text/plain", "text/markdown"):
        return response.body, "txt"
    if content_type in ("text/html", "application/xhtml+xml", ""):
        return response.body, "html"
    raise extraction.ExtractionError(f"The page is {content_type}, not a web page, PDF or text.")


def process_document(document: KnowledgeDocument) -> KnowledgeDocument:
    """Extract and measure the text, upload it to ElevenLabs when it changed, and re-sync
    the agents using it. Ends `ready`, or `error` with a message for staff."""
    content = b""
    try:
        if document.source == KnowledgeDocument.Source.FILE:
            with document.file.open("rb") as stored:
                content = stored.read()
            document.text = extraction.extract_text(content, document.file_type)
        elif document.source == KnowledgeDocument.Source.URL:
            content, page_type = _fetch_page(document.url)
            document.file_size = len(content)
            document.text = extraction.extract_text(content, page_type)
        elif not document.text:
            raise extraction.ExtractionError("The document contains no text.")
    except extraction.ExtractionError as error:
        return _fail(document, error.message)
    except egress.EgressError as error:
        return _fail(document, f"The page could not be fetched: {error}")
    except OSError:
        return _fail(document, "The uploaded file is missing from storage: upload it again.")
    document.text_length = len(document.text)
    document.chunk_count = extraction.chunk_count(document.text)
    document.error_message = ""
    document.save(
        update_fields=[
            "text",
            "text_length",
            "chunk_count",
            "file_size",
            "error_message",
            "updated_at",
        ]
    )

    fingerprint = hashlib.sha256(
        (document.name + "\x00" + document.text).encode("utf-8")
    ).hexdigest()
    if document.elevenlabs_document_id and fingerprint == document.synced_hash:
        document.status = KnowledgeDocument.Status.READY
        document.save(update_fields=["status", "updated_at"])
        return document
    provider = get_provider(document.agency)
    try:
        new_id = _upload(provider, document, content)
    except ProviderError as error:
        logger.warning("knowledge upload of %s failed: %r", document.id, error)
        return _fail(document, f"ElevenLabs did not accept the document: {error.message}")
    old_id = document.elevenlabs_document_id
    document.elevenlabs_document_id = new_id
    document.synced_hash = fingerprint
    document.synced_at = timezone.now()
    document.status = KnowledgeDocument.Status.READY
    document.save(
        update_fields=["elevenlabs_document_id", "synced_hash", "synced_at", "status", "updated_at"]
    )
    problems = sync_agents(document.agents.all())
    if old_id:
        try:
            provider.delete_knowledge_document(old_id)
        except ProviderError as error:
            logger.warning("could not delete replaced knowledge document %s: %r", old_id, error)
    if problems:
        document.error_message = " ".join(problems)
        document.save(update_fields=["error_message"])
    return document


def _upload(provider, document: KnowledgeDocument, content: bytes) -> str:
    if document.locator_kind == "file":
        return provider.create_knowledge_file(
            name=document.name,
            filename=document.original_filename or f"{document.name}.{document.file_type}",
            content=content,
            content_type=extraction.CONTENT_TYPES.get(document.file_type, "text/plain"),
        )
    if document.locator_kind == "url":
        return provider.create_knowledge_url(name=document.name, url=document.url)
    return provider.create_knowledge_text(name=document.name, text=document.text)


# -- agents --------------------------------------------------------------------------------


def sync_agents(agents) -> list[str]:
    """Re-sync `agents` (their knowledge base changed); returns problems for staff."""
    from agents.services import sync_agent

    problems = []
    for agent in agents:
        if not sync_agent(agent):
            problems.append(f"Agent {agent.name} could not be synced: {agent.sync_error}")
    return problems


def set_document_agents(*, document: KnowledgeDocument, agents: list[Agent]) -> list[str]:
    """Attach the document to exactly `agents`; re-sync the agents that changed."""
    before = set(document.agents.all())
    after = set(agents)
    document.agents.set(after)
    return sync_agents(sorted(before ^ after, key=lambda agent: agent.name))


def set_agent_documents(*, agent: Agent, documents: list[KnowledgeDocument]) -> list[str]:
    """Give `agent` exactly `documents` (of its agency); re-sync it when that changed."""
    before = set(agent.knowledge_documents.all())
    if before == set(documents):
        return []
    agent.knowledge_documents.set(documents)
    return sync_agents([agent])


def delete_document(document: KnowledgeDocument, *, by=None) -> list[str]:
    """Delete the document here and at ElevenLabs, after detaching it from its agents."""
    agents = list(document.agents.all())
    document_id = document.elevenlabs_document_id
    document.agents.clear()
    problems = sync_agents(agents)
    if document_id:
        try:
            get_provider(document.agency).delete_knowledge_document(document_id)
        except ProviderError as error:
            problems.append(
                f"ElevenLabs could not delete its copy ({error.message}). Remove it by hand in "
                "the ElevenLabs dashboard."
            )
    if document.file:
        document.file.delete(save=False)
    record_audit(
        document.agency,
        by,
        "knowledge.document_deleted",
        f"Deleted knowledge document {document.name}",
        target=f"knowledge_document:{document.pk}",
    )
    document.delete()
    return problems
