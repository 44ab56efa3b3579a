from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from voqo.calling_window import PURPOSE_CHOICES, PURPOSE_LABELS, TELEMARKETING
from voqo.models import UUIDModel


def _sandbox() -> bool:
    return settings.VOQO_PROVIDER == "sandbox"


class Campaign(UUIDModel):
    # Leads the (agency, created_at) index below, which serves lookups by agency too.
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "campaigns"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "created_at"], name="idx_campaigns_agency_created")
        ]

    def __str__(self) -> str:
        return self.name


class Upload(UUIDModel):
    # Every row below a campaign carries the campaign's agency too (set from the parent on
    # save), so lists and the dialler filter on one indexed column without joining upwards.
    # Leads the (agency, created_at) index below, which serves lookups by agency too.
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=255)
    total_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # The campaign variables its rows carry ({{suburb}} …): what an agent's prompt may use.
    variable_keys = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "uploads"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "created_at"], name="idx_uploads_agency_created")]

    def __str__(self) -> str:
        return self.filename

    def save(self, *args, **kwargs) -> None:
        if self.agency_id is None and self.campaign_id is not None:
            self.agency_id = self.campaign.agency_id
        super().save(*args, **kwargs)


class BatchContact(UUIDModel):
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    upload = models.ForeignKey(
        Upload, on_delete=models.CASCADE, related_name="batch_contacts", db_index=False
    )
    phone = models.CharField(max_length=20)
    name = models.CharField(max_length=200, blank=True, default="")
    variables = models.JSONField(default=dict, blank=True)
    line_number = models.PositiveIntegerField(null=True, blank=True)
    # The calling-window region of the number (voqo.calling_window.region_for_phone), stored at
    # import so a tick can pick the rows whose window is open with one indexed filter.
    region = models.CharField(max_length=8, default="AU")
    # The contact's Australian state from the upload's state column ("" when it has none).
    state = models.CharField(max_length=3, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "batch_contacts"
        ordering = ["line_number"]
        indexes = [models.Index(fields=["upload"], name="idx_batch_contacts_upload")]

    def __str__(self) -> str:
        return self.phone

    def save(self, *args, **kwargs) -> None:
        if self.agency_id is None and self.upload_id is not None:
            self.agency_id = self.upload.agency_id
        super().save(*args, **kwargs)


class Job(UUIDModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class CallingWindow(models.TextChoices):
        AU_TELEMARKETING = "au_telemarketing", "Australian telemarketing hours"
        # Only offered with the sandbox provider: demos and tests outside business hours.
        ANYTIME = "anytime", "Any time (sandbox only)"

    # Leads the (agency, created_at) index below, which serves lookups by agency too.
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="jobs", db_index=False
    )
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="jobs")
    # A deleted agent fails the job with a reason; the job itself stays as history.
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # A saved prompt chosen for this job, copied when the job was made ("" = the agent's own).
    prompt_override = models.TextField(blank=True, default="")
    greeting_override = models.TextField(blank=True, default="")
    prompt_override_name = models.CharField(max_length=120, blank=True, default="")
    # The number its calls go out from; None: the agency's default caller ID when dialling.
    caller_number = models.ForeignKey(
        "phone_numbers.PhoneNumber",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total_calls = models.PositiveIntegerField(default=0)
    completed_calls = models.PositiveIntegerField(default=0)
    failed_calls = models.PositiveIntegerField(default=0)
    # Counters are recomputed from the job calls with one GROUP BY after every change
    # (Job.refresh_counters), never incremented, so they always equal the rows' states.
    pending_calls = models.PositiveIntegerField(default=0)
    calling_calls = models.PositiveIntegerField(default=0)
    needs_review_calls = models.PositiveIntegerField(default=0)
    skipped_calls = models.PositiveIntegerField(default=0)
    cancelled_calls = models.PositiveIntegerField(default=0)
    refused_calls = models.PositiveIntegerField(default=0)
    # Why the calls are made: it sets the calling hours, and telemarketing must pass the
    # Do Not Call Register rules (compliance.rules) before each dial.
    purpose = models.CharField(max_length=16, choices=PURPOSE_CHOICES, default=TELEMARKETING)
    calling_window = models.CharField(
        max_length=24, choices=CallingWindow.choices, default=CallingWindow.AU_TELEMARKETING
    )
    concurrency_cap = models.PositiveSmallIntegerField(default=2)
    max_retries = models.PositiveSmallIntegerField(default=2)
    retry_delay_minutes = models.PositiveIntegerField(default=30)
    failure_reason = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "jobs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["campaign"], name="idx_jobs_campaign"),
            models.Index(fields=["status"], name="idx_jobs_status"),
            models.Index(fields=["agency", "created_at"], name="idx_jobs_agency_created"),
        ]

    def __str__(self) -> str:
        return f"Job {self.id} ({self.status})"

    ANYTIME_REFUSED = (
        "“Any time” is only for simulated calls (VOQO_PROVIDER=sandbox). With real calls the "
        "Australian telemarketing hours apply."
    )

    def clean(self) -> None:
        """Every path (admin, forms, API, shell's full_clean) gets the same window rule."""
        super().clean()
        self._refuse_anytime_with_real_calls()

    def save(self, *args, **kwargs) -> None:
        # The last line of defence for code that skips full_clean(): a live job is never
        # stored with the sandbox-only window (the dialler trusts the stored window).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "calling_window" in update_fields:
            self._refuse_anytime_with_real_calls()
        if self.agency_id is None and self.campaign_id is not None:
            self.agency_id = self.campaign.agency_id
        super().save(*args, **kwargs)

    def _refuse_anytime_with_real_calls(self) -> None:
        if self.calling_window == self.CallingWindow.ANYTIME and not _sandbox():
            raise ValidationError({"calling_window": self.ANYTIME_REFUSED})

    COUNTER_FIELDS = {
        "pending": "pending_calls",
        "calling": "calling_calls",
        "completed": "completed_calls",
        "failed": "failed_calls",
        "needs_review": "needs_review_calls",
        "skipped": "skipped_calls",
        "cancelled": "cancelled_calls",
        "refused": "refused_calls",
    }

    @property
    def purpose_label(self) -> str:
        """The purpose in one word: Telemarketing, Service or Research."""
        return PURPOSE_LABELS.get(self.purpose, self.purpose)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def done_calls(self) -> int:
        """Rows that were dealt with (called, failed, or skipped on purpose).

        Cancelled rows are left out: they were never dialled, so a job cancelled early reads
        "2 of 10 calls finished, 8 cancelled", not "100% finished".
        """
        return self.completed_calls + self.failed_calls + self.skipped_calls + self.refused_calls

    @property
    def progress_percent(self) -> int:
        if not self.total_calls:
            return 100 if self.status == self.Status.COMPLETED else 0
        return int(self.done_calls * 100 / self.total_calls)

    def status_counts(self) -> dict[str, int]:
        """Job calls per status, from one GROUP BY query."""
        rows = self.job_calls.order_by().values("status").annotate(n=models.Count("id"))
        counts = dict.fromkeys(self.COUNTER_FIELDS, 0)
        counts.update({row["status"]: row["n"] for row in rows})
        return counts

    def _counter_values(self, counts: dict[str, int]) -> dict[str, int]:
        values = {field: counts.get(status, 0) for status, field in self.COUNTER_FIELDS.items()}
        values["total_calls"] = sum(counts.values())
        return values

    def refresh_counters(self) -> dict[str, int]:
        """Set every counter from the rows' states: the count, the lock, and the write (inside a
        transaction); otherwise a count and a read first, which end there when unchanged.

        Read and write share a transaction that holds the job (its row lock on PostgreSQL,
        the write lock on SQLite): otherwise a transition committed between them would be
        overwritten by counts read before it.

        When the stored counters already match the rows (a dispatch that found nothing to
        do), nothing is locked or written: the counts are read first, then the counters, so
        a transition settled in between shows as a difference and takes the locked path.
        """
        # Inside a transaction the rows just changed (a call's outcome, say; SQLite holds the
        # lock already): straight to the locked count, without counting twice.
        unchanged = False
        if not transaction.get_connection().in_atomic_block:
            counts = self.status_counts()
            values = self._counter_values(counts)
            unchanged = Job.objects.filter(pk=self.pk).values(*values).first() == values
        if not unchanged:
            # No savepoint within a caller's transaction: an error there ends it anyway.
            with transaction.atomic(savepoint=False):
                list(Job.objects.select_for_update().filter(pk=self.pk).values_list("pk"))
                counts = self.status_counts()
                values = self._counter_values(counts)
                Job.objects.filter(pk=self.pk).update(**values)
        for field, value in values.items():
            setattr(self, field, value)
        return counts


class JobCall(UUIDModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CALLING = "calling", "Calling"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        # Claimed but Voqo cannot tell whether the provider dialled: a person decides.
        NEEDS_REVIEW = "needs_review", "Needs review"
        SKIPPED = "skipped", "Skipped"  # never dialled on purpose (opted out)
        CANCELLED = "cancelled", "Cancelled"  # the job was cancelled or failed first
        # Never dialled: a compliance rule forbade it (no wash, registered without consent…).
        REFUSED = "refused", "Refused"

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="job_calls", db_index=False)
    batch_contact = models.ForeignKey(
        BatchContact, on_delete=models.CASCADE, related_name="job_calls"
    )
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="job_calls"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error_message = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "job_calls"
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["job"], name="idx_job_calls_job"),
            models.Index(fields=["job", "status", "next_attempt_at"], name="idx_job_calls_due"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_contact_id} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        if self.agency_id is None and self.job_id is not None:
            self.agency_id = self.job.agency_id
        super().save(*args, **kwargs)
