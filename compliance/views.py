from datetime import datetime, time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.current import (
    agency_object_or_404,
    require_agency,
    role_required,
    role_required_to_change,
)
from agencies.models import Role
from compliance import consent as consents
from compliance import reports, washing
from compliance.forms import ConsentForm, WashImportForm
from compliance.models import Consent
from contacts.models import Contact
from voqo.models import agency_zone


@require_GET
def compliance_page(request: HttpRequest) -> HttpResponse:
    """This month's calls outside windows, refused dials, washes, consents and opt-outs."""
    agency = require_agency(request)
    context = {"report": reports.compliance_report(agency), "agency_zone": agency_zone(agency)}
    return render(request, "compliance/compliance.html", context)


@require_GET
def compliance_export(request: HttpRequest) -> StreamingHttpResponse:
    """The auditor's CSV: every record the rules keep, streamed."""
    agency = require_agency(request)
    response = StreamingHttpResponse(
        reports.export_lines(agency), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime(timezone=agency_zone(agency)).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="compliance-{stamp}.csv"'
    return response


def _safe_next(request: HttpRequest) -> str:
    back = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return back
    return reverse("compliance:page")


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def wash_import(request: HttpRequest) -> HttpResponse:
    """Upload the register's result file: each number's answer and the day it was checked."""
    form = WashImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        zone = agency_zone(request.agency)
        checked_on = form.cleaned_data["checked_on"]
        # The day's end, or now for today: the wash is good for 30 days from then.
        checked_at = min(datetime.combine(checked_on, time(23, 59), tzinfo=zone), timezone.now())
        try:
            answers = washing.read_result_file(upload, size=upload.size)
            report = washing.record_wash(
                agency=request.agency,
                answers=answers,
                checked_at=checked_at,
                source=upload.name,
                actor=request.user,
            )
        except washing.WashRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            messages.success(
                request,
                f"Imported the register's answers for {report.numbers:,} numbers "
                f"({report.registered:,} registered).",
            )
            return redirect(_safe_next(request))
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "compliance/wash_import.html", context)


@require_http_methods(["GET", "POST"])
@role_required_to_change(Role.STAFF)
def contact_consents(request: HttpRequest, contact_id) -> HttpResponse:
    """A contact's consents to telemarketing calls; staff record a new one here."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    form = ConsentForm(request.POST or None, contact=contact)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            expires_on = data["expires_on"]
            expires_at = (
                datetime.combine(expires_on, time(23, 59), tzinfo=agency_zone(request.agency))
                if expires_on
                else None
            )
            try:
                consents.record_consent(
                    contact=contact,
                    kind=data["kind"],
                    method=data["method"],
                    obtained_at=data["obtained_at"],
                    obtained_by=data["obtained_by"],
                    evidence_note=data["evidence_note"],
                    call=data["call"],
                    expires_at=expires_at,
                    recorded_by=request.user,
                )
            except consents.ConsentRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "Consent recorded.")
                return redirect("compliance:contact_consents", contact_id=contact.id)
    elif not form.is_bound:
        form.initial = {
            "obtained_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "obtained_by": request.user.get_full_name() or request.user.get_username(),
        }
    context = {
        "contact": contact,
        "form": form,
        "consents": Consent.objects.filter(contact=contact).select_related("call"),
        "now": timezone.now(),
    }
    return render(request, "compliance/contact_consents.html", context)


@require_POST
@role_required(Role.STAFF)
def consent_withdraw(request: HttpRequest, contact_id) -> HttpResponse:
    """Withdraw the contact's consent and stop calls and SMS to them (asked first on the page)."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    who = request.user.get_username()
    consents.withdraw_consent(contact=contact, by=f"withdrawn by {who}", actor=request.user)
    messages.success(
        request, f"Consent withdrawn: Voqo will not call or text {contact.name or contact.phone}."
    )
    return redirect("compliance:contact_consents", contact_id=contact.id)
