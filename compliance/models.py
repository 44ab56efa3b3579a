"""What the telemarketing rules need kept: register washes, consents, refused dials."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from voqo.calling_window import PURPOSE_CHOICES, TELEMARKETING
from voqo.models import UUIDModel


class WashResult(UUIDModel):
    """The latest Do Not Call Register answer for one of the agency's numbers.

    One row per (agency, number): a later wash replaces the answer and its time.
    """

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20)  # E.164
    registered = models.BooleanField()
    dncr_checked_at = models.DateTimeField()
    # The file it came from ("results-0311.csv") or the washing service's name.
    source = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        db_table = "wash_results"
        constraints = [
            models.UniqueConstraint(fields=["agency", "phone"], name="uniq_wash_agency_phone")
        ]
        indexes = [
            models.Index(fields=["agency", "dncr_checked_at"], name="idx_wash_agency_checked")
        ]

    def __str__(self) -> str:
        return f"{self.phone}: {'registered' if self.registered else 'not registered'}"


class ConsentQuerySet(models.QuerySet):
    def valid_at(self, moment: datetime) -> ConsentQuerySet:
        """Consents in force at `moment`: given by then, not withdrawn, not expired."""
        return self.filter(obtained_at__lte=moment, expires_at__gt=moment).filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment)
        )


class Consent(UUIDModel):
    """A contact's consent to telemarketing calls, with how it was obtained and its lapse."""

    class Kind(models.TextChoices):
        EXPRESS = "express", "Express (they said yes)"
        INFERRED = "inferred", "Inferred (from an existing relationship)"

    class Method(models.TextChoices):
        CALL = "call", "On a call"
        FORM = "form", "A form (web or paper)"
        SMS = "sms", "By SMS"
        IN_PERSON = "in_person", "In person"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    method = models.CharField(max_length=16, choices=Method.choices)
    obtained_at = models.DateTimeField()
    obtained_by = models.CharField(max_length=150)
    evidence_note = models.TextField(blank=True, default="")
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    # True when the person named no period, so the 3-month lapse applies.
    expiry_defaulted = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.CharField(max_length=150, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        db_table = "consents"
        ordering = ["-obtained_at"]
        indexes = [
            models.Index(fields=["agency", "expires_at"], name="idx_consents_agency_expiry"),
            models.Index(fields=["contact", "obtained_at"], name="idx_consents_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} consent of {self.contact_id}"

    def is_valid_at(self, moment: datetime) -> bool:
        withdrawn = self.withdrawn_at is not None and self.withdrawn_at <= moment
        return self.obtained_at <= moment < self.expires_at and not withdrawn

    @property
    def state(self) -> str:
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "valid" if self.expires_at > timezone.now() else "expired"


class DialRefusal(UUIDModel):
    """A dial Voqo refused for a compliance rule (campaign row or single call): the record
    the compliance page and the auditor's export read."""

    class Code(models.TextChoices):
        NOT_WASHED = "not_washed", "Not washed"
        STALE_WASH = "stale_wash", "Wash older than 30 days"
        REGISTERED = "registered", "On the register without consent"
        GREETING = "greeting", "Greeting does not name the agency"
        CALLBACK = "callback", "Caller ID does not answer calls"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20)
    purpose = models.CharField(max_length=16, choices=PURPOSE_CHOICES, default=TELEMARKETING)
    code = models.CharField(max_length=16, choices=Code.choices)
    reason = models.TextField()
    # The campaign job whose row was refused (None for a single call). Not a foreign key:
    # campaigns decide dials through this app, so this app does not depend on theirs.
    job_id = models.UUIDField(null=True, blank=True)
    refused_at = models.DateTimeField()

    class Meta:
        db_table = "dial_refusals"
        ordering = ["-refused_at"]
        indexes = [models.Index(fields=["agency", "refused_at"], name="idx_refusals_agency_date")]

    def __str__(self) -> str:
        return f"{self.phone}: {self.get_code_display()}"
