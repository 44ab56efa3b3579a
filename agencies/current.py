"""The current agency of a request, and the role checks that follow from it.

`CurrentAgencyMiddleware` sets `request.agency` (an Agency or None) and `request.membership`
(a Membership or None) for every request. They are resolved for views that need a login
(one query); login-free views (webhooks, login, health) get None and cost nothing.

Which agency: the one remembered in the session (key "agency_id") if the user is a member
of it, else the user's first membership by agency name. A superuser without any membership
(the install's operator) gets the session's agency or else the first agency, with a
synthetic, unsaved owner Membership, so the whole install stays reachable to them.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.models import Agency, Membership, Role

SESSION_KEY = "agency_id"


def resolve_membership(request) -> Membership | None:
    """The membership the request acts through (see the module docstring), or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    remembered = request.session.get(SESSION_KEY)
    memberships = Membership.objects.filter(user=user).select_related("agency")
    if remembered:
        membership = memberships.filter(agency_id=remembered).first()
        if membership is not None:
            return membership
    membership = memberships.order_by("agency__name", "agency__created_at").first()
    if membership is not None or not user.is_superuser:
        return membership
    agency = None
    if remembered:
        agency = Agency.objects.filter(pk=remembered).first()
    if agency is None:
        agency = Agency.objects.order_by("created_at").first()
    if agency is None:
        return None
    return Membership(user=user, agency=agency, role=Role.OWNER)


def remember_agency(request, agency: Agency) -> None:
    """Make `agency` the request user's current agency for the rest of the session."""
    request.session[SESSION_KEY] = str(agency.pk)


class CurrentAgencyMiddleware:
    """Sets `request.agency` and `request.membership` (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.agency = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Webhooks and the login page are login-free: no agency lookup on their hot path.
        if not getattr(view_func, "login_required", True):
            return None
        if not request.user.is_authenticated:
            return None
        membership = resolve_membership(request)
        request.membership = membership
        request.agency = membership.agency if membership is not None else None
        return None


def require_agency(request) -> Agency:
    """The request's agency; 403 for a signed-in user without one, 404 for anyone else."""
    agency = getattr(request, "agency", None)
    if agency is not None:
        return agency
    if request.user.is_authenticated:
        raise PermissionDenied("You are not a member of any agency on this install.")
    raise Http404("No agency")


def role_required(minimum: str):
    """View decorator: 403 unless the request's member has at least the `minimum` role."""
    if minimum not in Role.values:
        raise ValueError(f"Unknown role {minimum!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_agency(request)
            membership = request.membership
            if membership is None or not Role.at_least(membership.role, minimum):
                raise PermissionDenied(
                    f"This needs the {Role(minimum).label.lower()} role in {request.agency.name}."
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def agency_object_or_404(model_or_queryset: type[Model] | QuerySet, request, **lookups):
    """get_object_or_404 within the request's agency: another agency's id is simply not found."""
    agency = require_agency(request)
    return get_object_or_404(model_or_queryset, agency=agency, **lookups)
