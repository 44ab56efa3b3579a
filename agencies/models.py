"""Agencies and their people: every domain row belongs to one agency, users join agencies
through memberships with a role."""

from django.conf import settings
from django.db import models

from voqo.models import UUIDModel


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
