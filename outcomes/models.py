"""What calls achieved: the agency's dispositions, one outcome per call, and lead alerts."""

from django.conf import settings
from django.db import models

from voqo.models import UUIDModel

UNKNOWN = "unknown"


class DetailType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATETIME = "datetime", "Date and time"
    PHONE = "phone", "Phone number"
    SUBURB = "suburb", "Suburb"
    YES_NO = "yes_no", "Yes / no"


class Disposition(UUIDModel):
    """One kind of call outcome of an agency ("appraisal booked"), with the details the
    model extracts for it. Sent to ElevenLabs as data-collection items on every agent."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=50, help_text="Lower-case letters, digits and _.")
    label = models.CharField(max_length=100)
    description = models.TextField(
        blank=True, default="", help_text="Tells the model when a call has this outcome."
    )
    # [{"key": "address", "label": "Address", "type": "text", "description": "…"}, …]
    details = models.JSONField(default=list, blank=True)
    # A conversion: the outcome an agency counts as a won lead (booked, enquiry, lead).
    converts = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "dispositions"
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="dispositions_agency_key")
        ]

    def __str__(self) -> str:
        return self.label


class Outcome(UUIDModel):
    """What one call achieved, from the post-call analysis or a staff correction."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    call = models.OneToOneField("calls.Call", on_delete=models.CASCADE, related_name="call_outcome")
    outcome_type = models.CharField(max_length=50, db_index=True)
    label = models.CharField(max_length=100, blank=True, default="")
    confidence = models.FloatField(null=True, blank=True)
    summary = models.TextField(blank=True, default="")
    extracted_data = models.JSONField(default=dict, blank=True)
    # Why the type is `unknown`.
    unknown_reason = models.TextField(blank=True, default="")
    # Details the analysis gave values for that did not fit their type (dropped, with why).
    problems = models.JSONField(default=list, blank=True)
    # The evaluation criterion "the caller's need was handled": True, False or not judged.
    need_handled = models.BooleanField(null=True, blank=True)
    # A staff correction wins over every later redelivery of the analysis.
    corrected_by = models.CharField(max_length=150, blank=True, default="")
    corrected_at = models.DateTimeField(null=True, blank=True)
    # Delivery of the `call.analyzed` webhook event (record_webhook_delivery).
    webhook_sent = models.BooleanField(default=False)
    webhook_sent_at = models.DateTimeField(null=True, blank=True)
    webhook_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "outcomes"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label or self.outcome_type} ({self.call_id})"

    @property
    def is_corrected(self) -> bool:
        return self.corrected_at is not None

    @property
    def is_unknown(self) -> bool:
        return self.outcome_type == UNKNOWN


class LeadAlertRule(UUIDModel):
    """Tell someone about a call at once: which calls, how (SMS, e-mail), to whom, when not."""

    class Trigger(models.TextChoices):
        OUTCOMES = "outcomes", "Calls with the chosen outcomes"
        ANY = "any", "Every answered call"
        AFTER_HOURS = "after_hours", "Calls after hours only"

    class Recipient(models.TextChoices):
        STAFF = "staff", "A staff member"
        ON_CALL = "on_call", "An on-call number or address"
        CONTACT_OWNER = "contact_owner", "The contact's owner"
        LISTING_AGENT = "listing_agent", "The listing's agent"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.OUTCOMES)
    outcomes = models.JSONField(default=list, blank=True)  # disposition keys
    recipient = models.CharField(max_length=16, choices=Recipient.choices, default=Recipient.STAFF)
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(max_length=20, blank=True, default="", help_text="E.164")
    email = models.EmailField(blank=True, default="")
    by_sms = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)
    # The recipient's quiet hours (agency time): alerts wait until they end.
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "lead_alert_rules"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LeadAlert(UUIDModel):
    """One alert about one call by one channel; unique per (call, rule, channel), so a
    redelivered analysis never alerts twice. Sent at most once, like the follow-up SMS."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="lead_alerts")
    rule = models.ForeignKey(
        LeadAlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # Who the alert is for, as the call page names them ("Contact's owner: sam").
    recipient = models.CharField(max_length=200, blank=True, default="")
    # Empty when no address could be found (the alert is skipped, `error` says why).
    to = models.CharField(max_length=254, blank=True)
    body = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, default="")
    sid = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "lead_alerts"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "rule", "channel"], name="lead_alerts_once_per_call"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="idx_lead_alerts_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} alert to {self.to}"


class DayTally(models.Model):
    """One agency's calls of one closed local day, grouped as the outcomes dashboard adds
    them up: the dashboard reads these instead of the day's calls (outcomes/analytics.py).

    A day without calls keeps one row with zero counts, so it is not recomputed on every
    read. Anything that changes an old call deletes its day's rows (the next read recomputes
    them); rows older than `analytics.TALLY_MAX_AGE` are recomputed too."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # The zone the day was cut in: rows of another zone (the agency moved) are recomputed.
    zone = models.CharField(max_length=64)
    office = models.BooleanField()
    disposition = models.CharField(max_length=50, blank=True)
    agent_name = models.CharField(max_length=120, blank=True)
    agency_number = models.CharField(max_length=20, blank=True)
    count = models.PositiveIntegerField()
    # Completed calls with a duration, and the sum of those durations.
    timed = models.PositiveIntegerField()
    seconds = models.BigIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "outcome_day_tallies"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "office", "disposition", "agent_name", "agency_number"],
                name="uniq_outcome_day_tally",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.disposition or '—'}: {self.count}"
