"""An agency's people: invitations by e-mail, roles, removal. Owners do all of this."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import INVITATION_MAX_AGE, Agency, Invitation, Membership, Role
from voqo.events import record_audit

_INVITATION_SALT = "agencies.invitation"


class InvitationUnusable(Exception):
    """The invitation link is forged, expired, already used or withdrawn (the message says
    which, for the person holding it)."""


def invitation_token(invitation: Invitation) -> str:
    """The signed token in the invitation link: names the invitation, proves Voqo made it."""
    return signing.dumps(str(invitation.pk), salt=_INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("agencies:accept_invitation", args=[invitation_token(invitation)])
    return settings.PUBLIC_BASE_URL + path


@transaction.atomic
def invite_member(*, agency: Agency, email: str, role: str, invited_by) -> Invitation:
    """Invite `email` to `agency` with `role` and e-mail the link (after commit); a newer
    invitation to the same address replaces an open one."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    if Membership.objects.filter(agency=agency, user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {agency.name}.")
    Invitation.objects.filter(agency=agency, email=email, accepted_at__isnull=True).delete()
    invitation = Invitation.objects.create(
        agency=agency, email=email, role=role, invited_by=invited_by
    )
    transaction.on_commit(lambda: _send_invitation(invitation))
    record_audit(
        agency,
        invited_by,
        "member.invited",
        f"Invited {email} as {invitation.get_role_display()}",
        detail={"email": email, "role": role},
        target=f"invitation:{invitation.pk}",
    )
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "An owner"
    days = INVITATION_MAX_AGE.days
    send_mail(
        subject=f"Join {invitation.agency.name} on Voqo",
        message=(
            f"{inviter} invited you to {invitation.agency.name} on Voqo as "
            f"{invitation.get_role_display().lower()}.\n\n"
            f"Accept within {days} days (the link works once):\n{invitation_url(invitation)}\n\n"
            "If you did not expect this, ignore this e-mail.\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def open_invitation(token: str) -> Invitation:
    """The invitation behind a link, if it can still be accepted; InvitationUnusable if not."""
    try:
        invitation_id = signing.loads(
            token, salt=_INVITATION_SALT, max_age=INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise InvitationUnusable(
            "This invitation has expired: ask an owner of the agency to invite you again."
        ) from error
    except signing.BadSignature as error:
        raise InvitationUnusable(
            "This invitation link is not valid: check that you copied all of it."
        ) from error
    invitation = Invitation.objects.select_related("agency").filter(pk=invitation_id).first()
    if invitation is None:
        raise InvitationUnusable("This invitation was withdrawn: ask an owner for a new one.")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("This invitation has already been used: log in instead.")
    if invitation.is_expired():
        raise InvitationUnusable(
            "This invitation has expired: ask an owner of the agency to invite you again."
        )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """Make `user` a member with the invitation's role and use the invitation up (once)."""
    used = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    if not used:
        raise InvitationUnusable("This invitation has already been used: log in instead.")
    if not user.is_staff:
        # Voqo's pages are for agency staff; joining an agency makes one.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    membership = Membership.objects.filter(user=user, agency=invitation.agency).first()
    if membership is not None:
        # Already a member: an invitation never lowers a role.
        if Role.at_least(invitation.role, membership.role) and invitation.role != membership.role:
            _record_role_change(membership, membership.role, invitation.role, actor=user)
            membership.role = invitation.role
            membership.save(update_fields=["role"])
        return membership
    membership = Membership.objects.create(
        user=user, agency=invitation.agency, role=invitation.role
    )
    record_audit(
        invitation.agency,
        user,
        "member.joined",
        f"{user.get_username()} joined as {membership.get_role_display()} (invited as "
        f"{invitation.email})",
        detail={"role": membership.role},
        target=f"user:{user.pk}",
    )
    return membership


@transaction.atomic
def accept_invitation_as_new_user(*, invitation: Invitation, username: str, password: str):
    """Create the invited person's login (agency staff) and accept the invitation with it."""
    user = get_user_model().objects.create_user(
        username=username, email=invitation.email, password=password, is_staff=True
    )
    accept_invitation(invitation=invitation, user=user)
    return user


def withdraw_invitation(*, invitation: Invitation, actor=None) -> None:
    """Delete an open invitation: its link stops working."""
    record_audit(
        invitation.agency,
        actor,
        "invitation.withdrawn",
        f"Withdrew the invitation of {invitation.email}",
        target=f"invitation:{invitation.pk}",
    )
    invitation.delete()


def _record_role_change(membership: Membership, before: str, after: str, *, actor) -> None:
    record_audit(
        membership.agency,
        actor,
        "member.role_changed",
        f"Changed the role of {membership.user.get_username()} from "
        f"{Role(before).label} to {Role(after).label}",
        detail={"changes": [{"field": "role", "before": before, "after": after}]},
        target=f"user:{membership.user_id}",
    )


def _other_owners(membership: Membership):
    return Membership.objects.filter(agency_id=membership.agency_id, role=Role.OWNER).exclude(
        pk=membership.pk
    )


@transaction.atomic
def change_role(*, membership: Membership, role: str, actor=None) -> Membership:
    """Give a member another role; the agency always keeps at least one owner."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.OWNER and role != Role.OWNER and not _other_owners(locked).exists():
        raise ValidationError(
            f"{locked.user.get_username()} is the only owner of {locked.agency.name}: make "
            "someone else an owner first."
        )
    if locked.role != role:
        _record_role_change(locked, locked.role, role, actor=actor)
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


@transaction.atomic
def remove_member(*, membership: Membership, actor=None) -> None:
    """Take a member out of the agency (their login stays); never the last owner."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.OWNER and not _other_owners(locked).exists():
        raise ValidationError(
            f"{locked.user.get_username()} is the only owner of {locked.agency.name}: make "
            "someone else an owner first."
        )
    record_audit(
        locked.agency,
        actor,
        "member.removed",
        f"Removed {locked.user.get_username()} ({locked.get_role_display()})",
        target=f"user:{locked.user_id}",
    )
    locked.delete()
