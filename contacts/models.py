from django.db import models

from voqo.calling_window import STATE_CHOICES
from voqo.models import UUIDModel


class Contact(UUIDModel):
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +61412345678")
    notes = models.TextField(blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    # Where the contact lives: puts a mobile in that state's calling window (else the
    # agency's default state, else every Australian zone).
    state = models.CharField(max_length=3, blank=True, default="", choices=STATE_CHOICES)
    # Opt-out (STOP by SMS or by staff) suppresses both SMS and campaign calls.
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opted_out_by = models.CharField(max_length=150, blank=True, default="")
    last_call_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "contacts"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["phone"], name="idx_contacts_phone")]
        indexes = [models.Index(fields=["name"], name="idx_contacts_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None


class Memory(UUIDModel):
    class Source(models.TextChoices):
        AUTO = "auto", "From a call"
        MANUAL = "manual", "Added by staff"

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="memories", db_index=False
    )
    content = models.TextField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="memories"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "memories"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contact"], name="idx_memories_contact")]
        verbose_name_plural = "memories"

    def __str__(self) -> str:
        return self.content[:60]
