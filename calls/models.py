from django.db import models

from voqo.fields import JSONTextField
from voqo.models import UUIDModel

# Demo data's calls carry conversation ids with this prefix, so set-up steps can tell a real
# first call from the demo's.
DEMO_CONVERSATION_PREFIX = "conv_demo"


def recording_upload_to(call: "Call", filename: str) -> str:
    return f"recordings/{call.created_at:%Y/%m}/{call.id}.mp3"


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
        # Its result never arrived and the provider could not say (calls.reconciling).
        UNKNOWN = "unknown", "Result unknown"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        # Web, widget and test conversations (no phone_call in the provider's payload).
        WEB = "web", "Web or test"

    class SmsStatus(models.TextChoices):
        NONE = "", "Not decided"
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    # Deleting an agency deletes its calls with it (like its agents and contacts); the
    # composite (agency, …) indexes below lead with this column, so it needs none of its own.
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Deleting an agent keeps its call history: the link is cleared, the name kept.
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        db_index=False,
    )
    agent_name = models.CharField(max_length=120, blank=True, default="")
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        db_index=False,
    )
    elevenlabs_conversation_id = models.CharField(max_length=128, null=True, blank=True)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PHONE)
    status = models.CharField(max_length=16, choices=Status.choices)
    from_phone = models.CharField(max_length=20)
    to_phone = models.CharField(max_length=20)
    summary = models.TextField(blank=True, default="")
    transcript = models.JSONField(default=list, blank=True)
    # Decided from the transcript, or (when ElevenLabs leaves it out) from fields that
    # survive `exclude_transcript`; None for calls recorded before it was stored.
    caller_spoke = models.BooleanField(null=True, blank=True)
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
    # The voice the conversation spoke with when it was not the agent's own (voices app).
    voice_id = models.CharField(max_length=64, blank=True, default="")
    # The recording, stored once fetched (post_call_audio webhook or first playback).
    recording_file = models.FileField(upload_to=recording_upload_to, blank=True, default="")
    # Post-call SMS state machine; the conditional UPDATE pending → sending is the claim that
    # makes the SMS go out at most once per call, whatever retries or duplicates happen.
    sms_status = models.CharField(max_length=16, choices=SmsStatus.choices, blank=True, default="")
    sms_body = models.TextField(blank=True, default="")
    sms_sid = models.CharField(max_length=64, blank=True, default="")
    sms_error = models.TextField(blank=True, default="")
    sms_attempts = models.PositiveSmallIntegerField(default=0)
    sms_next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Why the provider's result did not arrive as a webhook (a delivery that failed, a result
    # fetched or given up on by reconciliation); shown on the call page.
    result_note = models.TextField(blank=True, default="")
    # An owner placed this call outside the recipient's calling window (they asked to be
    # called now): who, and the reason they gave. Empty for calls within the window.
    window_override_by = models.CharField(max_length=150, blank=True, default="")
    window_override_reason = models.TextField(blank=True, default="")
    # An outbound call's purpose (voqo.calling_window): it set the hours the call had to keep.
    # Blank for inbound calls.
    purpose = models.CharField(max_length=16, blank=True, default="")
    # Post-call processing (outcome, profile, alerts) done, and the outcome's type copied
    # here so the list filters on an (agency, disposition, created_at) index.
    processed = models.BooleanField(default=False)
    processed_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=50, blank=True, default="")

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
            # The install-wide admin list sorts every agency's calls by date.
            models.Index(fields=["created_at"], name="idx_calls_date"),
            # The calls list (keyset pages), its filters and the dashboard read one agency's
            # calls by (filter, created_at) ranges.
            models.Index(fields=["agency", "created_at"], name="idx_calls_agency_date"),
            models.Index(
                fields=["agency", "status", "created_at"], name="idx_calls_agency_status_date"
            ),
            models.Index(
                fields=["agency", "direction", "created_at"], name="idx_calls_agency_dir_date"
            ),
            # Reconciliation looks for initiated calls of every agency.
            models.Index(fields=["status", "created_at"], name="idx_calls_status_date"),
            models.Index(fields=["agent", "created_at"], name="idx_calls_agent_date"),
            # Calls of deleted agents, counted by name on the dashboard: a small index of
            # only those rows instead of every call of the agency in the range.
            models.Index(
                fields=["agency", "created_at", "agent_name"],
                name="idx_calls_orphaned_date",
                condition=models.Q(agent=None),
            ),
            models.Index(
                fields=["agency", "disposition", "created_at"],
                name="idx_calls_agency_outcome_date",
            ),
            models.Index(fields=["sms_status", "sms_next_attempt_at"], name="idx_calls_sms_retry"),
            # Covers the outcomes dashboard's grouped reads of a date range (outcomes.analytics):
            # they never touch the wide table rows.
            models.Index(
                fields=[
                    "agency",
                    "created_at",
                    "disposition",
                    "status",
                    "duration",
                    "agent_name",
                    "direction",
                    "to_phone",
                    "from_phone",
                ],
                name="idx_calls_agency_analytics",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} call {self.from_phone} → {self.to_phone}"

    @property
    def recording_removed(self) -> bool:
        """Whether the recording was removed (retention purge, forget request): the moment is
        kept in `recording_expires_at`, and it is never fetched from the provider again."""
        return self.recording_expires_at is not None

    @property
    def external_phone(self) -> str:
        """The caller's number for inbound calls, the number called for outbound ones."""
        return self.from_phone if self.direction == self.Direction.INBOUND else self.to_phone


class WebhookEvent(models.Model):
    """A provider webhook as received: stored before anything else, processed by a task.

    The unique (event_type, conversation_id) key turns duplicate deliveries into no-ops;
    `claimed_at` / `processed_at` are claimed with conditional UPDATEs so that concurrent
    workers never process one event twice. An event that keeps failing is retried with
    backoff (`next_attempt_at`) a bounded number of times, then parked (`failed_at`, with
    the reason in `last_error`) until someone retries it.
    """

    # Unknown at receipt (storing stays one INSERT without lookups); set when the event is
    # processed, from its agent (or the call Voqo placed), so a failing event shows on its
    # agency's webhook problems page.
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    event_type = models.CharField(max_length=64)
    conversation_id = models.CharField(max_length=128)
    # Text, not the database's JSON type: the body is stored as received and read whole.
    payload = JSONTextField()
    received_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "webhook_events"
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "conversation_id"], name="idx_webhook_events_key"
            )
        ]
        indexes = [
            models.Index(fields=["processed_at"], name="idx_webhook_events_pending"),
            # The drain's question: which open events are due, fresh ones first.
            models.Index(
                fields=["attempts", "received_at"],
                name="idx_webhook_events_due",
                condition=models.Q(processed_at__isnull=True, failed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.conversation_id}"

    @property
    def is_parked(self) -> bool:
        return self.failed_at is not None


class EventDrain(models.Model):
    """The one row that says whether a drain of webhook events is queued or running, so that
    all web processes together keep at most one in the queue or a worker at a time."""

    ONLY = 1
    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "webhook_event_drain"

    def __str__(self) -> str:
        return f"drain queued {self.queued_at}, started {self.started_at}"


class SmsMessage(UUIDModel):
    """An SMS through Twilio: the post-call follow-up (outbound) or a reply (inbound)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    # Twilio's message states in the order they happen; a status callback is applied only
    # when it moves the message forward. Delivered may still become read; the ways a message
    # ends without arriving (undelivered, failed, canceled) are final.
    STATUS_RANK = {
        "scheduled": 0,
        "accepted": 1,
        "queued": 1,
        "sending": 2,
        "sent": 3,
        "partially_delivered": 4,
        "delivered": 5,
        "undelivered": 5,
        "failed": 5,
        "canceled": 5,
        "read": 6,
        "received": 6,
    }
    FINAL_STATUSES = frozenset({"undelivered", "failed", "canceled", "read", "received"})

    # The call's agency for a follow-up; for a reply, the agency whose contact texted (one
    # row per agency when several agencies have a contact with that number).
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sms_messages",
    )
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_messages"
    )
    from_phone = models.CharField(max_length=20)
    to_phone = models.CharField(max_length=20)
    body = models.TextField(blank=True, default="")
    sid = models.CharField(max_length=64)
    status = models.CharField(max_length=24, blank=True, default="")
    error_code = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sms_messages"
        ordering = ["-created_at"]
        constraints = [
            # Twilio's MessageSid is global, but a reply is kept once per agency it concerns.
            models.UniqueConstraint(fields=["sid", "agency"], name="sms_messages_unique_sid")
        ]
        indexes = [
            # A conversation (messages.threads) is read by the other party's number.
            models.Index(
                fields=["agency", "from_phone", "created_at"], name="idx_sms_messages_from"
            ),
            models.Index(fields=["agency", "to_phone", "created_at"], name="idx_sms_messages_to"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} SMS {self.sid}"

    @property
    def status_label(self) -> str:
        """Twilio's status as people read it: "partially_delivered" → "Partially delivered"."""
        return self.status.replace("_", " ").capitalize() or "Unknown"

    @classmethod
    def statuses_before(cls, status: str) -> list[str]:
        """The statuses a message may move forward from to reach `status`."""
        rank = cls.STATUS_RANK.get(status)
        if rank is None:
            return []
        return [
            name
            for name, other in cls.STATUS_RANK.items()
            if other < rank and name not in cls.FINAL_STATUSES
        ] + [""]
