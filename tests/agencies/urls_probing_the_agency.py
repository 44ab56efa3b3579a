"""Voqo's URLs plus small pages that show what the current-agency helpers decide."""

from django.http import HttpResponse, JsonResponse
from django.urls import path

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Membership
from voqo.urls import urlpatterns as voqo_urlpatterns


def whoami(request):
    agency = require_agency(request)
    return JsonResponse({"agency": agency.slug, "role": request.membership.role})


@role_required("manager")
def managers_only(request):
    return HttpResponse("managed")


def membership_detail(request, membership_id):
    membership = agency_object_or_404(Membership, request, pk=membership_id)
    return HttpResponse(membership.user.username)


urlpatterns = [
    *voqo_urlpatterns,
    path("probe/whoami", whoami),
    path("probe/managers-only", managers_only),
    path("probe/memberships/<uuid:membership_id>", membership_detail),
]
