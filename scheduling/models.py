from django.db import models

from voqo.models import UUIDModel


class ScheduledCall(UUIDModel):
    """One call to one number, placed by the worker at `scheduled_at`.

    Scheduling several numbers at once makes one row each (sharing `batch`), so every
    recipient has its own state and call. The claim pending → in progress is a conditional
    UPDATE, so two workers or a retried task place a row at most once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    batch = models.UUIDField(db_index=True)
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The number called from; its E.164 is kept in case the number is removed later.
    from_number = models.ForeignKey(
        "phone_numbers.PhoneNumber",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_phone = models.CharField(max_length=20, blank=True, default="")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(max_length=20, help_text="E.164")
    scheduled_at = models.DateTimeField()
    # The prompt override, copied when scheduled so later edits of its source change nothing;
    # empty: the agent's own prompt at call time.
    prompt_text = models.TextField(blank=True, default="")
    prompt_source = models.CharField(max_length=200, blank=True, default="")
    dynamic_variables = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failure_reason = models.TextField(blank=True, default="")
    created_by = models.CharField(max_length=150, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "scheduled_calls"
        ordering = ["scheduled_at"]
        indexes = [
            # The worker's question: which pending rows are due.
            models.Index(fields=["status", "scheduled_at"], name="idx_scheduled_calls_due"),
            models.Index(fields=["agency", "scheduled_at"], name="idx_scheduled_calls_agency"),
            models.Index(fields=["call"], name="idx_scheduled_calls_call"),
        ]

    def __str__(self) -> str:
        return f"Call to {self.phone} at {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.PENDING
