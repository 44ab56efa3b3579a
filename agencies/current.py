"""The current agency of a request, and the role checks that follow from it.

`CurrentAgencyMiddleware` sets, on every request, `request.agency` (an Agency or None),
`request.membership` (a Membership or None) and `request.memberships` (the user's
memberships, for the agency switcher). They are resolved in one query for views that need a
login; login-free views (webhooks, login, health, invitations) get None and cost nothing.

Which agency: the one remembered in the session (key "agency_id") if the user is a member
of it, else the user's first membership by agency name. A superuser without any membership
(the install's operator) gets synthetic, unsaved owner Memberships of every agency (the
switcher lists them): the session's agency or else the first agency by creation.

Rules applied to every login-required view, before any view code runs:
- a signed-in user who belongs to no agency gets 403, except on views marked
  `@agency_not_required` (log out);
- a read-only member may not use any method but GET/HEAD/OPTIONS (403), except on views
  marked `@read_only_allowed` (switching agency, an SMS preview).
Views that need more than membership say so with `@role_required(...)` or
`@role_required_to_change(...)`.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.models import Agency, Membership, Role

SESSION_KEY = "agency_id"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def agency_not_required(view):
    """Let a signed-in user who belongs to no agency reach `view` (log out)."""
    view.agency_required = False
    return view


def read_only_allowed(view):
    """Let read-only members POST to `view`: it changes nothing of the agency's."""
    view.read_only_allowed = True
    return view


def resolve_memberships(request) -> tuple[Membership | None, list[Membership]]:
    """The membership the request acts through (see the module docstring), or None, and all
    of the user's memberships (agency name order), in one query."""
    user = request.user
    if not user.is_authenticated:
        return None, []
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("agency")
        .order_by("agency__name", "agency__created_at")
    )
    remembered = request.session.get(SESSION_KEY)
    for membership in memberships:
        if str(membership.agency_id) == remembered:
            return membership, memberships
    if memberships or not user.is_superuser:
        return (memberships[0] if memberships else None), memberships
    # The install's operator: a synthetic owner membership of every agency (the switcher
    # lists them all), the first agency by creation unless the session remembers another.
    agencies = list(Agency.objects.order_by("name", "created_at"))
    synthetic = [Membership(user=user, agency=agency, role=Role.OWNER) for agency in agencies]
    if not synthetic:
        return None, []
    for membership in synthetic:
        if str(membership.agency_id) == remembered:
            return membership, synthetic
    first = min(synthetic, key=lambda membership: membership.agency.created_at)
    return first, synthetic


def remember_agency(request, agency: Agency) -> None:
    """Make `agency` the request user's current agency for the rest of the session."""
    request.session[SESSION_KEY] = str(agency.pk)


class CurrentAgencyMiddleware:
    """Sets `request.agency`, `request.membership`, `request.memberships` and applies the
    membership and read-only rules (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.agency = None
        request.membership = None
        request.memberships = []
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Webhooks and the login page are login-free: no agency lookup on their hot path.
        if not getattr(view_func, "login_required", True):
            return None
        if not request.user.is_authenticated:
            return None
        membership, memberships = resolve_memberships(request)
        request.membership = membership
        request.memberships = memberships
        request.agency = membership.agency if membership is not None else None
        if membership is None:
            if getattr(view_func, "agency_required", True):
                raise PermissionDenied(
                    "You are not a member of any agency on this install: ask an owner to "
                    "invite you."
                )
        elif (
            membership.role == Role.READ_ONLY
            and request.method not in SAFE_METHODS
            and not getattr(view_func, "read_only_allowed", False)
        ):
            raise PermissionDenied(
                f"You have read-only access to {membership.agency.name}: ask an owner for a "
                "role that can make changes."
            )
        return None


def require_agency(request) -> Agency:
    """The request's agency; 403 for a signed-in user without one, 404 for anyone else."""
    agency = getattr(request, "agency", None)
    if agency is not None:
        return agency
    if request.user.is_authenticated:
        raise PermissionDenied("You are not a member of any agency on this install.")
    raise Http404("No agency")


def _refuse_below(request, minimum: str) -> None:
    require_agency(request)
    membership = request.membership
    if membership is None or not Role.at_least(membership.role, minimum):
        raise PermissionDenied(
            f"This needs the {Role(minimum).label.lower()} role (or higher) in "
            f"{request.agency.name}."
        )


def role_required(minimum: str):
    """View decorator: 403 unless the request's member has at least the `minimum` role."""
    if minimum not in Role.values:
        raise ValueError(f"Unknown role {minimum!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            _refuse_below(request, minimum)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def role_required_to_change(minimum: str):
    """View decorator: every member may GET the view; other methods need `minimum`."""
    if minimum not in Role.values:
        raise ValueError(f"Unknown role {minimum!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in SAFE_METHODS:
                require_agency(request)
            else:
                _refuse_below(request, minimum)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def can(request, minimum: str) -> bool:
    """Does the request's member have at least `minimum` (for hiding what a role cannot do)?"""
    membership = getattr(request, "membership", None)
    return membership is not None and Role.at_least(membership.role, minimum)


def agency_object_or_404(model_or_queryset: type[Model] | QuerySet, request, **lookups):
    """get_object_or_404 within the request's agency: another agency's id is simply not found."""
    agency = require_agency(request)
    return get_object_or_404(model_or_queryset, agency=agency, **lookups)


def agency_is_suspended(agency: Agency | None) -> bool:
    """Is `agency` suspended right now? Read from the database, not from the instance, so a
    long-running dialler sees a suspension as soon as it is made. Nothing is dialled or sent
    for a suspended agency; its webhooks are still accepted and stored."""
    if agency is None:
        return False
    return not Agency.objects.filter(pk=agency.pk, active=True).exists()
