from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from contacts.models import Contact
from retention.forgetting import access_export_json, forget_contact, forget_plan
from retention.forms import ForgetForm, RetentionForm
from retention.services import RETENTION_KEYS, retention_values, save_retention


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def data_page(request: HttpRequest) -> HttpResponse:
    """How long the agency keeps recordings, transcripts and webhook payloads; how people
    are forgotten and exported."""
    agency = require_agency(request)
    if request.method == "POST":
        form = RetentionForm(request.POST)
        if form.is_valid():
            save_retention(
                agency=agency,
                values={key: form.cleaned_data[key] for key in RETENTION_KEYS},
                actor=request.user,
            )
            messages.success(request, "Retention saved. The next purge applies it.")
            return redirect("retention:data")
        messages.error(request, "Retention not saved: correct the errors below.")
    else:
        form = RetentionForm(initial=retention_values(agency))
    return render(request, "retention/data_page.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def forget(request: HttpRequest, contact_id) -> HttpResponse:
    """Confirm, naming what goes, then forget the person."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    form = ForgetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        forget_contact(contact=contact, actor=request.user)
        messages.success(
            request, "The person is forgotten. Their calls stay as anonymous rows in the counts."
        )
        return redirect("contacts:list")
    context = {"contact": contact, "plan": forget_plan(contact), "form": form}
    return render(request, "retention/forget_confirm.html", context)


@require_GET
@role_required(Role.MANAGER)
def access_export(request: HttpRequest, contact_id) -> HttpResponse:
    """Everything held about the contact as one JSON file (an access request)."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    response = HttpResponse(
        access_export_json(contact=contact, actor=request.user),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response
