"""Documents an agency's agents can cite: files, web pages, pasted text, and the generated
document of the agency's current listings. Each is one ElevenLabs knowledge-base document."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from voqo.models import UUIDModel


class KnowledgeDocument(UUIDModel):
    class Source(models.TextChoices):
        FILE = "file", "Uploaded file"
        URL = "url", "Web page"
        TEXT = "text", "Pasted text"
        LISTINGS = "listings", "Current listings (generated)"

    class FileType(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        TXT = "txt", "Text"
        MARKDOWN = "md", "Markdown"
        CSV = "csv", "CSV"
        HTML = "html", "HTML"
        URL = "url", "Web page"
        TEXT = "text", "Text"

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        ERROR = "error", "Error"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    file_type = models.CharField(max_length=8, choices=FileType.choices)
    file = models.FileField(upload_to="knowledge/", blank=True, max_length=255)
    original_filename = models.CharField(max_length=255, blank=True, default="")
    url = models.URLField(max_length=500, blank=True, default="")
    file_size = models.PositiveIntegerField(default=0)  # bytes uploaded or fetched
    # The text agents can cite: extracted, pasted or generated.
    text = models.TextField(blank=True, default="")
    text_length = models.PositiveIntegerField(default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    error_message = models.TextField(blank=True, default="")
    elevenlabs_document_id = models.CharField(max_length=128, blank=True, default="")
    # sha256 of what ElevenLabs holds: unchanged content is never uploaded again.
    synced_hash = models.CharField(max_length=64, blank=True, default="")
    synced_at = models.DateTimeField(null=True, blank=True)
    agents = models.ManyToManyField("agents.Agent", related_name="knowledge_documents", blank=True)
    created_by = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "knowledge_documents"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(source="listings"),
                name="uniq_listings_document_per_agency",
            )
        ]
        indexes = [models.Index(fields=["agency", "name"], name="idx_knowledge_agency_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def locator_kind(self) -> str:
        """How ElevenLabs types it: "file", "url" or "text"."""
        if self.source == self.Source.URL:
            return "url"
        if self.source == self.Source.FILE and self.file_type != self.FileType.CSV:
            return "file"
        return "text"

    @property
    def is_generated(self) -> bool:
        return self.source == self.Source.LISTINGS
