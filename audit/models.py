"""The audit trail: what people (and Voqo itself) did, kept append-only."""

from django.conf import settings
from django.db import models


class AppendOnly(Exception):
    """An audit entry was about to be changed or deleted: the trail only grows."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One thing that happened: who (`actor`, kept by name too), what (`kind`, `summary`,
    `detail`), to what (`target`, e.g. "contact:<id>"), when.

    Rows are written once and never changed: `save()` of an existing row and deletes through
    the ORM raise AppendOnly. Removing an agency from the install takes its trail with it (a
    database cascade), and that is the one way rows go.
    """

    # Null: something install-wide (a purge of the task queue's rows).
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The actor's login when it happened ("" for Voqo itself), kept if the login goes.
    actor_name = models.CharField(max_length=150, blank=True, default="")
    kind = models.CharField(max_length=64)
    summary = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)
    target = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        db_table = "audit_entries"
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        # The page reads one agency's entries newest first (keyset on id), filtered by
        # person, kind or date.
        indexes = [
            models.Index(fields=["agency", "id"], name="idx_audit_agency_id"),
            models.Index(fields=["agency", "actor", "id"], name="idx_audit_agency_actor"),
            models.Index(fields=["agency", "kind", "id"], name="idx_audit_agency_kind"),
            models.Index(fields=["agency", "created_at"], name="idx_audit_agency_date"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit entries cannot be deleted.")

    @property
    def who(self) -> str:
        return self.actor_name or "Voqo"
