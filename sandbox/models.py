"""What the sandbox provider keeps: the SMS it 'sent' and the calls it simulated."""

from django.db import models

from voqo.models import UUIDModel


class SandboxMessage(UUIDModel):
    """An SMS the sandbox provider 'sent': the outbox staff see when no Twilio keys are set."""

    sid = models.CharField(max_length=64, unique=True)
    to_phone = models.CharField(max_length=20)
    from_phone = models.CharField(max_length=20)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "sandbox_messages"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"SMS to {self.to_phone}"


class SandboxConversation(UUIDModel):
    """A call the sandbox provider simulated: what it was asked, and the event it sent.

    `payload` is the webhook event (post_call_transcription or call_initiation_failure)
    once the simulated call has ended; `get_conversation` answers from it.
    """

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    conversation_id = models.CharField(max_length=64, unique=True)
    agent_id = models.CharField(max_length=128)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    external_number = models.CharField(max_length=20)
    call_sid = models.CharField(max_length=64, blank=True, default="")
    dynamic_variables = models.JSONField(default=dict, blank=True)
    first_message = models.TextField(blank=True, default="")
    # The voice the call was told to speak with, when not the agent's own (voices).
    voice_id = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField(null=True, blank=True)
    # HTTP status of the webhook delivery (None: not delivered yet, 0: could not connect).
    delivery_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sandbox_conversations"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.conversation_id
