"""Who may do what beyond ordinary staff work: one function per permission, so the rule can
follow agency roles once agencies exist."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def is_agency_owner(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """May `user` override safety rules for the agency (e.g. call outside the window)?

    Owners are superusers until agencies have roles of their own.
    """
    return bool(user is not None and user.is_active and getattr(user, "is_superuser", False))
