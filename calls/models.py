from django.db import models

from voqo.models import UUIDModel


class Call(UUIDModel):
    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Status(models.TextChoices):
        INITIATED = "initiated", "Initiated"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        NO_ANSWER = "no_answer", "No answer"
        BUSY = "busy", "Busy"

    # Deleting an agent keeps its call history: the link is cleared, the name kept.
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls", db_index=False
    )
    agent_name = models.CharField(max_length=120, blank=True, default="")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls", db_index=False
    )
    elevenlabs_conversation_id = models.CharField(max_length=128, null=True, blank=True)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    from_phone = models.CharField(max_length=20)
    to_phone = models.CharField(max_length=20)
    summary = models.TextField(blank=True, default="")
    transcript = models.JSONField(default=list, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds")
    recording_url = models.URLField(max_length=500, blank=True, default="")
    recording_expires_at = models.DateTimeField(null=True, blank=True)
    sms_sent = models.BooleanField(default=False)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Beyond the seed: outcome and analysis, failure reason, and what the agent knew.
    title = models.CharField(max_length=200, blank=True, default="")
    outcome = models.CharField(max_length=32, blank=True, default="")
    analysis = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True, default="")
    dynamic_variables = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "calls"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["elevenlabs_conversation_id"], name="idx_calls_elevenlabs"
            )
        ]
        indexes = [
            models.Index(fields=["agent"], name="idx_calls_agent"),
            models.Index(fields=["contact"], name="idx_calls_contact"),
            models.Index(fields=["from_phone"], name="idx_calls_phone"),
            models.Index(fields=["to_phone"], name="idx_calls_to_phone"),
            models.Index(fields=["created_at"], name="idx_calls_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} call {self.from_phone} → {self.to_phone}"

    @property
    def external_phone(self) -> str:
        """The caller's number for inbound calls, the number called for outbound ones."""
        return self.from_phone if self.direction == self.Direction.INBOUND else self.to_phone
