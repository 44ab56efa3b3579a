from django.db import models

from voqo.models import UUIDModel


class Thread(UUIDModel):
    """One SMS conversation: an agency and the number it texts with (a contact's or not).

    Kept up to date by messages.threads as messages are stored, so the Messages page reads
    one row per conversation however many messages there are.
    """

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20, help_text="E.164")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField()
    last_body = models.CharField(max_length=200, blank=True, default="")
    last_direction = models.CharField(max_length=16, blank=True, default="")
    # Inbound messages since someone last opened the thread.
    unread_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "sms_threads"
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "phone"], name="idx_sms_threads_agency_phone")
        ]
        indexes = [
            models.Index(fields=["agency", "-last_message_at"], name="idx_sms_threads_agency_last"),
            models.Index(
                fields=["agency"],
                name="idx_sms_threads_unread",
                condition=models.Q(unread_count__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"SMS with {self.phone}"


class SmsTemplate(UUIDModel):
    """A saved message staff pick when replying; may hold {variables}."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    body = models.TextField(max_length=1600)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sms_templates"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="idx_sms_templates_agency_name")
        ]

    def __str__(self) -> str:
        return self.name
