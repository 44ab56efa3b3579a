"""The owners' API keys page: make a key (shown once), see prefixes and last use, revoke."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from agencies.current import agency_object_or_404, role_required
from agencies.models import Role
from api import keys
from api.forms import ApiKeyForm
from api.models import ApiKey


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        new_key = keys.create_api_key(
            agency=request.agency,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            by=request.user,
        )
        form = ApiKeyForm()
    context = {
        "form": form,
        "new_key": new_key,
        "api_keys": ApiKey.objects.filter(agency=request.agency).select_related("created_by"),
    }
    return render(request, "api/api_keys.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def revoke_api_key(request: HttpRequest, key_id) -> HttpResponse:
    """Confirm, then revoke: the key stops working at once."""
    api_key = agency_object_or_404(ApiKey, request, pk=key_id)
    if request.method == "POST":
        if keys.revoke_api_key(api_key=api_key, by=request.user):
            messages.success(request, f"The key “{api_key.name}” is revoked.")
        return redirect("api_keys:list")
    return render(request, "api/api_key_confirm_revoke.html", {"api_key": api_key})
