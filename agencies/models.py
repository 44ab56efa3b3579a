"""Agencies and their people: every domain row belongs to one agency, users join agencies
through memberships with a role."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from voqo.crypto import EncryptedTextField, is_undecryptable
from voqo.models import UUIDModel, forget_agency_settings

# The name the upgrade migration gives an install's agency when its settings named none.
PLACEHOLDER_AGENCY_NAME = "My agency"


def default_time_zone() -> str:
    """The install's zone (TIME_ZONE from the environment), read when an agency is created."""
    return settings.TIME_ZONE


class Agency(UUIDModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    # Shown to the agency's members while it is suspended (active=False).
    suspended_reason = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "agencies"
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Setting.all_values() caches per agency and carries the name and zone.
        forget_agency_settings(self.pk)
        from agencies.provider_accounts import forget_webhook_keys  # it imports this module

        forget_webhook_keys(self.pk)

    def provider_credentials(self):
        """The ElevenLabs and Twilio accounts this agency brought (voqo.providers reads them;
        empty fields mean the install's), or None when it brought none."""
        account = ProviderAccount.objects.filter(agency=self).first()
        return account.credentials() if account is not None else None


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"
    READ_ONLY = "read_only", "Read-only"

    @classmethod
    def rank(cls, role: str) -> int:
        """Higher is more: owner 3, manager 2, staff 1, read-only 0 (unknown roles -1)."""
        order = [cls.READ_ONLY, cls.STAFF, cls.MANAGER, cls.OWNER]
        return order.index(role) if role in order else -1

    @classmethod
    def at_least(cls, role: str, minimum: str) -> bool:
        """Does `role` allow what `minimum` allows (owner > manager > staff > read-only)?"""
        if cls.rank(minimum) < 0:
            raise ValueError(f"Unknown role {minimum!r}")
        return cls.rank(role) >= cls.rank(minimum)


class Membership(UUIDModel):
    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    # The member's mobile for lead alerts (E.164), and their choice to get none by SMS.
    alert_phone = models.CharField(max_length=20, blank=True, default="")
    sms_alerts_opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "memberships"
        ordering = ["agency__name", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_unique_user_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.agency} ({self.get_role_display()})"

    def allows(self, minimum: str) -> bool:
        """May this member do what needs at least the `minimum` role?"""
        return Role.at_least(self.role, minimum)


INVITATION_MAX_AGE = timedelta(days=7)


class Invitation(UUIDModel):
    """An owner's invitation to join an agency, sent by e-mail as a signed one-time link."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "invitations"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "accepted_at"], name="invitation_agency_open")]

    def __str__(self) -> str:
        return f"{self.email} to {self.agency}"

    @property
    def expires_at(self):
        return self.created_at + INVITATION_MAX_AGE

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ProviderAccount(models.Model):
    """The agency's own ElevenLabs workspace and Twilio account (owners set them).

    Every field is optional: what is blank falls back to the install's environment. Secrets
    are encrypted at rest like function secrets and never shown again once saved.
    """

    SECRET_FIELDS = (
        "elevenlabs_api_key",
        "elevenlabs_webhook_secret",
        "elevenlabs_initiation_token",
        "twilio_auth_token",
    )

    agency = models.OneToOneField(
        Agency, primary_key=True, on_delete=models.CASCADE, related_name="provider_account"
    )
    elevenlabs_api_key = EncryptedTextField(blank=True, default="")
    elevenlabs_webhook_secret = EncryptedTextField(blank=True, default="")
    elevenlabs_initiation_token = EncryptedTextField(blank=True, default="")
    # The agency's Twilio number as imported into its workspace: the caller ID of its calls.
    elevenlabs_phone_number_id = models.CharField(max_length=128, blank=True, default="")
    twilio_account_sid = models.CharField(max_length=64, blank=True, default="")
    twilio_auth_token = EncryptedTextField(blank=True, default="")
    twilio_phone_number = models.CharField(max_length=20, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "provider_accounts"

    def __str__(self) -> str:
        return f"Provider accounts of {self.agency}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from agencies.provider_accounts import forget_webhook_keys

        forget_webhook_keys(self.agency_id)

    @property
    def lost_secrets(self) -> list[str]:
        """The secrets no configured encryption key decrypts (a key was removed)."""
        return [name for name in self.SECRET_FIELDS if is_undecryptable(getattr(self, name))]

    @property
    def has_own_elevenlabs(self) -> bool:
        return bool(self.elevenlabs_api_key)

    @property
    def has_own_twilio(self) -> bool:
        return bool(self.twilio_account_sid)

    def credentials(self):
        """These accounts as the provider boundary takes them; ProviderAuthError when a
        stored secret cannot be decrypted (never the install's keys in its place)."""
        from voqo.providers import ProviderAuthError, ProviderCredentials

        if self.lost_secrets:
            raise ProviderAuthError(
                f"{self.agency.name}'s stored provider secrets cannot be decrypted (was a key "
                "removed from FIELD_ENCRYPTION_KEYS?): re-enter them under Provider accounts.",
                provider="elevenlabs" if "twilio_auth_token" not in self.lost_secrets else "twilio",
            )
        return ProviderCredentials(
            elevenlabs_api_key=self.elevenlabs_api_key,
            elevenlabs_phone_number_id=self.elevenlabs_phone_number_id,
            twilio_account_sid=self.twilio_account_sid,
            twilio_auth_token=self.twilio_auth_token,
            twilio_phone_number=self.twilio_phone_number,
        )
