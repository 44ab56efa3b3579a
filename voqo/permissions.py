"""Who may do what beyond ordinary staff work: one function per permission."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def is_agency_owner(user: AbstractBaseUser | AnonymousUser | None, agency) -> bool:
    """May `user` override safety rules for `agency` (e.g. call outside the window)?

    Its owners may, and so may superusers (the install's operators).
    """
    if user is None or not user.is_active or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return agency is not None and user.memberships.filter(agency=agency, role="owner").exists()
