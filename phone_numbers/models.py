from django.db import models

from voqo.crypto import EncryptedTextField
from voqo.models import UUIDModel


class PhoneNumber(UUIDModel):
    """A Twilio number an agency calls from or is called on, and the agent that answers it."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"
        BOTH = "both", "Inbound and outbound"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    # E.164. Unique across the install: an inbound call is routed to its agency by this number.
    number = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=80, blank=True, default="")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.BOTH)
    active = models.BooleanField(default=True)
    agent = models.ForeignKey(
        "agents.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    default_outbound = models.BooleanField(default=False)
    elevenlabs_phone_number_id = models.CharField(max_length=128, blank=True, default="")
    # Blank: the number lives in the agency's Twilio account (or the install's).
    twilio_account_sid = models.CharField(max_length=64, blank=True, default="")
    twilio_auth_token = EncryptedTextField(blank=True, default="")
    # Why ElevenLabs refused the last registration or agent assignment ("" = in step).
    sync_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "phone_numbers"
        ordering = ["number"]
        indexes = [models.Index(fields=["agency", "number"], name="idx_phone_numbers_agency")]

    def __str__(self) -> str:
        return f"{self.label} ({self.number})" if self.label else self.number

    @property
    def answers_calls(self) -> bool:
        return self.active and self.direction in (self.Direction.INBOUND, self.Direction.BOTH)

    @property
    def places_calls(self) -> bool:
        return self.active and self.direction in (self.Direction.OUTBOUND, self.Direction.BOTH)

    @property
    def registered(self) -> bool:
        """Whether ElevenLabs knows the number (it has an ElevenLabs phone number id)."""
        return bool(self.elevenlabs_phone_number_id)

    @property
    def has_own_twilio_account(self) -> bool:
        return bool(self.twilio_account_sid)
