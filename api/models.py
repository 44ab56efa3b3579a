"""API keys of an agency and the idempotency keys their POSTs carry."""

from django.conf import settings
from django.db import models

from voqo.models import UUIDModel


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(UUIDModel):
    """A key an agency's systems use for /api/v1/. Only its hash is kept: the key itself is
    shown once, when it is made; its prefix tells keys apart afterwards."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    read_only = models.BooleanField(default=False)
    prefix = models.CharField(max_length=16)
    # sha256 of the whole key: keys are long random strings, so a fast hash is enough.
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        db_table = "api_keys"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "created_at"], name="idx_api_keys_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def access_label(self) -> str:
        return "Read-only" if self.read_only else "Read and write"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed for 24 hours."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    # sha256 of method, path and body: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    # None while the first request is still being answered.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "api_idempotency_keys"
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return self.key
