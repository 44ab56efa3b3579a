"""An agency's own voices: consent records, cloned library voices, a voice per caller, the
clone cache and the clone log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from voqo.models import UUIDModel

DEFAULT_CLONE_TTL_HOURS = 24


class VoiceConsent(UUIDModel):
    """The speaker's consent to have their voice cloned: kept even after the voice is gone."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    speaker_name = models.CharField(max_length=200)
    statement = models.TextField(blank=True, default="")
    consent_file = models.FileField(upload_to="voices/consent/", blank=True, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_by_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "voice_consents"
        ordering = ["speaker_name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.speaker_name} ({self.created_at:%d %b %Y})"


class LibraryVoice(UUIDModel):
    """A voice cloned from consented samples, in the agency's library and voice picker."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(VoiceConsent, on_delete=models.PROTECT, related_name="voices")
    name = models.CharField(max_length=100)
    voice_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    sample_bytes = models.PositiveIntegerField(default=0)
    # Where the browser plays the voice's preview: asked of the provider once, then kept.
    preview_url = models.URLField(max_length=500, blank=True, default="")
    created_by = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "voice_library"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VoiceSample(UUIDModel):
    """A consented recording a caller's voice is cloned from on first use (clone cache)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(VoiceConsent, on_delete=models.PROTECT, related_name="samples")
    name = models.CharField(max_length=100)
    audio = models.FileField(upload_to="voices/samples/", max_length=255)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField(default=0)
    duration_secs = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "voice_samples"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CallerVoice(UUIDModel):
    """A contact, or a bare phone number, that hears (and is called with) a voice of the
    agency's own people.

    Exactly one of `contact` and `phone` is set. A contact's mapping follows the contact
    (whatever its number becomes); a number's mapping (`phone`, E.164, one per agency) is
    for a caller who is not a contact yet, and for a contact without a mapping of their own:
    a contact's mapping wins over a number's.

    What the initiation webhook needs is copied where its one query reads it: onto the
    contact (`Contact.voice_id`, `Contact.voice_sample_id`) for a contact's mapping, onto
    `voice_id` here for a number's (the ready voice id; empty while `sample` is not cloned).
    """

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="caller_voice",
    )
    phone = models.CharField(max_length=20, blank=True, default="")
    library_voice = models.ForeignKey(
        LibraryVoice, on_delete=models.CASCADE, null=True, blank=True, related_name="callers"
    )
    sample = models.ForeignKey(
        VoiceSample, on_delete=models.CASCADE, null=True, blank=True, related_name="callers"
    )
    voice_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "voice_callers"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(library_voice__isnull=False, sample__isnull=True)
                | models.Q(library_voice__isnull=True, sample__isnull=False),
                name="voice_callers_one_voice",
            ),
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, phone="")
                | (models.Q(contact__isnull=True) & ~models.Q(phone="")),
                name="voice_callers_contact_or_number",
            ),
            models.UniqueConstraint(
                fields=["agency", "phone"],
                condition=~models.Q(phone=""),
                name="voice_callers_unique_number",
            ),
        ]
        # What the initiation answer joins on: SQLite cannot use the partial unique index
        # for `phone = ?` (it cannot prove the bound number is not empty).
        indexes = [models.Index(fields=["agency", "phone"], name="idx_voice_callers_number")]

    @property
    def voice_name(self) -> str:
        return (self.library_voice or self.sample).name

    @property
    def who(self) -> str:
        """The contact's name, or the mapped number."""
        return self.contact.name if self.contact_id else self.phone


class VoiceClone(UUIDModel):
    """The clone cache: a sample cloned at ElevenLabs, reused until `expires_at`."""

    class Status(models.TextChoices):
        CLONING = "cloning", "Cloning"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        DELETED = "deleted", "Deleted"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    sample = models.ForeignKey(VoiceSample, on_delete=models.CASCADE, related_name="clones")
    voice_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLONING)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reuse_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "voice_clones"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.voice_id or str(self.sample)


class CloneLog(UUIDModel):
    """Every clone and delete at ElevenLabs: who it was for, how long it took, how it ended."""

    class Operation(models.TextChoices):
        CLONE = "clone", "Clone"
        DELETE = "delete", "Delete"

    class Status(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    operation = models.CharField(max_length=8, choices=Operation.choices)
    caller_phone = models.CharField(max_length=20, blank=True, default="", db_index=True)
    voice_name = models.CharField(max_length=100, blank=True, default="")
    voice_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    latency_ms = models.PositiveIntegerField(default=0)
    sample_bytes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, db_index=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "voice_clone_log"
        ordering = ["-created_at"]


class CallCloneEvent(UUIDModel):
    """A clone a call set off (the first use of a caller's sample) became ready or failed:
    shown on that call. An inbound call is recorded after its ring, so its events are tied
    to it when either of the two arrives second (`call` is empty until then)."""

    class Kind(models.TextChoices):
        READY = "ready", "Clone ready"
        FAILED = "failed", "Clone failed"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(
        "calls.Call", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    caller_phone = models.CharField(max_length=20)
    voice_name = models.CharField(max_length=100, blank=True, default="")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    voice_id = models.CharField(max_length=64, blank=True, default="")
    error = models.TextField(blank=True, default="")
    rang_at = models.DateTimeField()  # when the call asked for the clone
    created_at = models.DateTimeField(auto_now_add=True)  # when it was ready or failed

    class Meta:
        db_table = "voice_call_clone_events"
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["agency", "caller_phone", "rang_at"], name="idx_clone_events_caller"
            )
        ]
