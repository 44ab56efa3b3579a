"""The agency's webhook endpoints, the events sent to them, and each delivery's log."""

from django.db import models

from voqo.crypto import EncryptedTextField
from voqo.models import UUIDModel

EVENT_TYPES = {
    "call.completed": "A call ended and its transcript and summary are in.",
    "call.analyzed": "A call's outcome was decided.",
    "contact.created": "A contact was added by staff, the API or a call (not by a CSV import).",
    "contact.opted_out": "A contact opted out of calls and SMS.",
    "sms.received": "An SMS reply arrived.",
    "job.finished": "A campaign job completed, was cancelled or failed.",
    "test.ping": "A test event sent from the endpoint's page or the API.",
}


class Endpoint(UUIDModel):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    event_types = models.JSONField(default=list)
    # Only events of this agent's calls (events without an agent still come).
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    active = models.BooleanField(default=True)
    # Signs every delivery; shown once, encrypted at rest (voqo.crypto).
    secret = EncryptedTextField(blank=True, default="", editable=False)
    # Set when Voqo disabled the endpoint after days of failed deliveries (shown to owners).
    disabled_reason = models.TextField(blank=True, default="")
    # The first failed delivery since the last success: three days of it disable the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "webhook_endpoints"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "created_at"], name="idx_wh_endpoints_agency")]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str, agent_id) -> bool:
        """Does this endpoint subscribe to `event_type` for an event of `agent_id`'s?"""
        if not self.active or event_type not in self.event_types:
            return False
        return self.agent_id is None or agent_id is None or str(self.agent_id) == str(agent_id)


class Event(UUIDModel):
    """One thing that happened, as sent (the same id and body on every retry)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    agent_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "webhook_outgoing_events"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "created_at"], name="idx_wh_events_agency")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.public_id}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.pk.hex}"

    def body(self) -> dict:
        return {
            "id": self.public_id,
            "type": self.event_type,
            "created": int(self.created_at.timestamp()),
            "agency": str(self.agency_id),
            "data": self.data,
        }


class Delivery(UUIDModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Retrying"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "webhook_deliveries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(fields=["endpoint", "created_at"], name="idx_wh_deliveries_endpoint"),
            models.Index(fields=["status", "next_attempt_at"], name="idx_wh_deliveries_due"),
            models.Index(fields=["agency", "created_at"], name="idx_wh_deliveries_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One try at a delivery: what was sent and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "webhook_delivery_attempts"
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
