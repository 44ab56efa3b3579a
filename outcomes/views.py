from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.current import (
    agency_object_or_404,
    can,
    read_only_allowed,
    require_agency,
    role_required,
)
from agencies.models import Role
from calls.forms import CallFilterForm
from calls.models import Call
from contacts.models import Contact
from contacts.profile import edit_profile, form_initial
from outcomes import queue
from outcomes.analytics import outcome_figures
from outcomes.exports import calls_csv_lines
from outcomes.forms import (
    DispositionForm,
    LeadAlertRuleForm,
    MemberAlertsForm,
    OutcomeCorrectionForm,
    ProfileForm,
    RangeForm,
)
from outcomes.members import set_member_alerts
from outcomes.models import Disposition, LeadAlertRule
from outcomes.recording import correct_outcome
from voqo.events import record_audit
from voqo.models import agency_zone


@require_GET
def disposition_list(request: HttpRequest) -> HttpResponse:
    """The agency's outcomes and the details extracted for each; managers edit them."""
    agency = require_agency(request)
    return render(
        request,
        "outcomes/disposition_list.html",
        {
            "dispositions": Disposition.objects.filter(agency=agency),
            "can_change": can(request, Role.MANAGER),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def disposition_form(request: HttpRequest, disposition_id=None) -> HttpResponse:
    """Add or edit one outcome; agents are synced again so ElevenLabs extracts it."""
    agency = require_agency(request)
    disposition = (
        agency_object_or_404(Disposition, request, pk=disposition_id) if disposition_id else None
    )
    form = DispositionForm(request.POST or None, instance=disposition, agency=agency)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        record_audit(
            agency,
            request.user,
            "disposition.saved",
            f"Outcome “{saved.label}” saved",
            detail={"key": saved.key, "details": saved.details},
            target=f"disposition:{saved.pk}",
        )
        queue.queue_agent_sync(agency.pk)
        messages.success(
            request, f"“{saved.label}” saved. Your agents are being updated to extract it."
        )
        return redirect("outcomes:dispositions")
    return render(
        request, "outcomes/disposition_form.html", {"form": form, "disposition": disposition}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def disposition_delete(request: HttpRequest, disposition_id) -> HttpResponse:
    """Confirm, then remove an outcome (calls already recorded with it keep their outcome)."""
    disposition = agency_object_or_404(Disposition, request, pk=disposition_id)
    if request.method == "POST":
        disposition.delete()
        record_audit(
            request.agency,
            request.user,
            "disposition.deleted",
            f"Outcome “{disposition.label}” deleted",
            target=f"disposition:{disposition_id}",
        )
        queue.queue_agent_sync(request.agency.pk)
        messages.success(request, f"“{disposition.label}” deleted.")
        return redirect("outcomes:dispositions")
    return render(request, "outcomes/disposition_delete.html", {"disposition": disposition})


@require_POST
@role_required(Role.STAFF)
def outcome_correct(request: HttpRequest, call_id) -> HttpResponse:
    """Staff set a call's outcome by hand; it wins over later redeliveries of the analysis."""
    call = agency_object_or_404(Call, request, pk=call_id)
    form = OutcomeCorrectionForm(request.POST, agency=call.agency)
    if form.is_valid():
        try:
            correct_outcome(
                call=call,
                outcome_type=form.cleaned_data["outcome_type"],
                details=form.cleaned_data["details"],
                by=request.user,
            )
        except ValueError as error:
            messages.error(request, f"Outcome not changed: {error}")
        else:
            messages.success(request, "Outcome corrected.")
    else:
        problems = "; ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, f"Outcome not changed: {problems}")
    return redirect("calls:detail", call_id=call.pk)


@require_POST
@role_required(Role.STAFF)
def profile_edit(request: HttpRequest, contact_id) -> HttpResponse:
    """Staff correct what the contact's profile says."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    form = ProfileForm(request.POST, initial=form_initial(contact.profile))
    if form.is_valid():
        changed = edit_profile(
            contact,
            {key: form.cleaned_data[key] for key in form.changed_data},
            by=request.user.get_username(),
        )
        if changed:
            record_audit(
                request.agency,
                request.user,
                "contact.profile_edited",
                f"Profile of {contact.name} edited",
                detail={"facts": changed},
                target=f"contact:{contact.pk}",
            )
        messages.success(request, "Profile saved." if changed else "Nothing changed.")
    else:
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        messages.error(request, f"Profile not saved: {problems}")
    return redirect("contacts:detail", contact_id=contact.pk)


@require_GET
def analytics(request: HttpRequest) -> HttpResponse:
    """Outcomes over time, conversion per agent, campaign and number, handling time,
    after-hours share and SMS delivery, for a date range."""
    agency = require_agency(request)
    zone = agency_zone(agency)
    form = RangeForm(request.GET or None)
    date_from, date_to = form.dates(zone)
    if not form.is_bound:  # show the default range in the pickers, ready to adjust
        form = RangeForm(initial={"date_from": date_from, "date_to": date_to})
    figures = outcome_figures(agency=agency, zone=zone, date_from=date_from, date_to=date_to)
    return render(
        request,
        "outcomes/analytics.html",
        {"form": form, "date_from": date_from, "date_to": date_to, **figures},
    )


@require_GET
def calls_export(request: HttpRequest) -> StreamingHttpResponse:
    """The calls list as CSV, with the list's filters applied, streamed."""
    agency = require_agency(request)
    zone = agency_zone(agency)
    form = CallFilterForm(request.GET or None, agency=agency)
    calls = form.filter(Call.objects.filter(agency=agency), zone)
    response = StreamingHttpResponse(
        calls_csv_lines(calls, zone=zone), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime(timezone.now(), zone).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="calls-{stamp}.csv"'
    return response


@require_GET
def alert_rules(request: HttpRequest) -> HttpResponse:
    """The agency's lead alert rules."""
    agency = require_agency(request)
    return render(
        request,
        "outcomes/alert_rules.html",
        {
            "rules": LeadAlertRule.objects.filter(agency=agency).select_related("staff_member"),
            "can_change": can(request, Role.MANAGER),
            "memberships": agency.memberships.select_related("user").order_by("user__username"),
        },
    )


@require_http_methods(["GET", "POST"])
@read_only_allowed
@role_required(Role.READ_ONLY)
def my_alerts(request: HttpRequest) -> HttpResponse:
    """The signed-in member's own mobile for lead alerts, and their SMS opt-out."""
    membership = request.membership
    form = MemberAlertsForm(
        request.POST or None,
        initial={
            "alert_phone": membership.alert_phone,
            "sms_opt_out": membership.sms_alerts_opted_out_at is not None,
        },
    )
    if request.method == "POST" and form.is_valid():
        set_member_alerts(
            membership=membership,
            phone=form.cleaned_data["alert_phone"],
            sms_opted_out=form.cleaned_data["sms_opt_out"],
        )
        messages.success(request, "Your lead alert settings are saved.")
        return redirect("outcomes:my_alerts")
    return render(request, "outcomes/my_alerts.html", {"form": form, "membership": membership})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def alert_rule_form(request: HttpRequest, rule_id=None) -> HttpResponse:
    """Add or edit a lead alert rule."""
    agency = require_agency(request)
    rule = agency_object_or_404(LeadAlertRule, request, pk=rule_id) if rule_id else None
    initial = {"outcomes": rule.outcomes} if rule else {}
    form = LeadAlertRuleForm(request.POST or None, instance=rule, agency=agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        record_audit(
            agency,
            request.user,
            "lead_alert_rule.saved",
            f"Lead alert “{saved.name}” saved",
            target=f"lead_alert_rule:{saved.pk}",
        )
        messages.success(request, f"Lead alert “{saved.name}” saved.")
        return redirect("outcomes:alert_rules")
    return render(request, "outcomes/alert_rule_form.html", {"form": form, "rule": rule})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def alert_rule_delete(request: HttpRequest, rule_id) -> HttpResponse:
    """Confirm, then delete a lead alert rule (alerts it sent stay on their calls)."""
    rule = agency_object_or_404(LeadAlertRule, request, pk=rule_id)
    if request.method == "POST":
        rule.delete()
        record_audit(
            request.agency,
            request.user,
            "lead_alert_rule.deleted",
            f"Lead alert “{rule.name}” deleted",
            target=f"lead_alert_rule:{rule_id}",
        )
        messages.success(request, f"Lead alert “{rule.name}” deleted.")
        return redirect("outcomes:alert_rules")
    return render(request, "outcomes/alert_rule_delete.html", {"rule": rule})
