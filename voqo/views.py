from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.current import can, read_only_allowed, role_required_to_change
from agencies.services import save_agency_settings
from voqo.forms import SettingsForm
from voqo.models import Setting, agency_zone


def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: the getting-started checklist until dismissed, this week's figures, calls per
    day for 30 days, per agent, recent calls."""
    from agencies.current import require_agency
    from calls.selectors import dashboard_figures
    from onboarding.checklist import getting_started

    context = {
        **dashboard_figures(agency_zone(request.agency), agency=require_agency(request)),
        "checklist": getting_started(request.agency),
    }
    return render(request, "voqo/dashboard.html", context)


SETTING_FIELDS = (
    "agency_name",
    "time_zone",
    "default_state",
    "sms_enabled",
    "sms_skip_silent",
    "sms_foreign_mobiles",
    "auto_create_contacts",
    "save_memories",
    "sms_template",
)


@require_http_methods(["GET", "POST"])
@role_required_to_change("manager")
def settings_page(request: HttpRequest) -> HttpResponse:
    """Edit the agency's settings (managers and owners; everyone else sees them); the SMS
    template has a live preview (settings_sms_preview)."""
    agency = request.agency
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            save_agency_settings(
                agency=agency,
                values={key: form.cleaned_data[key] for key in SETTING_FIELDS},
                actor=request.user,
            )
            messages.success(request, "Settings saved.")
            return redirect("settings")
        messages.error(request, "Settings not saved: correct the errors below.")
        template = form.data.get("sms_template", "")
    else:
        values = Setting.all_values(agency)
        form = SettingsForm(initial={key: values.get(key) for key in SETTING_FIELDS})
        template = values["sms_template"]
    context = {
        "form": form,
        "preview": sms_preview(template, agency=agency),
        "can_change": can(request, "manager"),
    }
    return render(request, "voqo/settings.html", context)


@require_POST
@read_only_allowed
def settings_sms_preview(request: HttpRequest) -> HttpResponse:
    """The SMS preview partial for the template being typed (HTMX, on keyup)."""
    preview = sms_preview(request.POST.get("sms_template", ""), agency=request.agency)
    return render(request, "voqo/partials/_sms_preview.html", {"preview": preview})


def sms_preview(template: str, *, agency) -> dict:
    """What an SMS from `template` looks like for a sample call, with its segment count."""
    from voqo.sms import (
        SmsTemplateError,
        count_segments,
        first_name,
        render_sms,
        render_sms_within_limit,
    )

    # A contact saved with a full name, as most are: {caller_name} is the whole name.
    sample = {
        "caller_name": "Priya Sharma",
        "first_name": first_name("Priya Sharma"),
        "caller_phone": "0412 345 678",
        "call_summary": "Priya asked about 12 Ocean Street and booked an inspection for "
        "Saturday at 10am",
        "agent_name": "Lisa",
        "call_duration": "2m 25s",
        "call_date": timezone.localtime(timezone=agency_zone(agency)).strftime("%-d %B %Y"),
    }
    try:
        full = render_sms(template, sample)
    except SmsTemplateError as error:
        return {"error": str(error), "template": template}
    fitted = render_sms_within_limit(template, sample)
    return {
        "template": template,
        "text": fitted,
        "truncated": fitted != full,
        "count": count_segments(fitted),
        "agency_name": agency.name,
    }


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, a raw file)."""
    return redirect(static("favicon.ico"))
