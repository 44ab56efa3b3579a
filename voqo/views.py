from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from voqo.forms import SettingsForm
from voqo.models import Setting


def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: the getting-started checklist until dismissed, this week's figures, calls per
    day for 30 days, per agent, recent calls."""
    from agencies.current import require_agency
    from calls.selectors import dashboard_figures
    from onboarding.checklist import getting_started
    from voqo.models import agency_zone

    context = {
        **dashboard_figures(agency_zone(), agency=require_agency(request)),
        "checklist": getting_started(),
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


def settings_page(request: HttpRequest) -> HttpResponse:
    """Edit the agency's settings; the SMS template has a live preview (settings_sms_preview)."""
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            for key in SETTING_FIELDS:
                Setting.set_value(key, form.cleaned_data[key])
            messages.success(request, "Settings saved.")
            return redirect("settings")
        messages.error(request, "Settings not saved: correct the errors below.")
        template = form.data.get("sms_template", "")
    else:
        values = Setting.all_values()
        form = SettingsForm(initial={key: values.get(key) for key in SETTING_FIELDS})
        template = values["sms_template"]
    return render(request, "voqo/settings.html", {"form": form, "preview": sms_preview(template)})


@require_POST
def settings_sms_preview(request: HttpRequest) -> HttpResponse:
    """The SMS preview partial for the template being typed (HTMX, on keyup)."""
    return render(
        request,
        "voqo/partials/_sms_preview.html",
        {"preview": sms_preview(request.POST.get("sms_template", ""))},
    )


def sms_preview(template: str) -> dict:
    """What an SMS from `template` looks like for a sample call, with its segment count."""
    from voqo.sms import (
        SmsTemplateError,
        count_segments,
        first_name,
        render_sms,
        render_sms_within_limit,
    )

    values = Setting.all_values()
    # A contact saved with a full name, as most are: {caller_name} is the whole name.
    sample = {
        "caller_name": "Priya Sharma",
        "first_name": first_name("Priya Sharma"),
        "caller_phone": "0412 345 678",
        "call_summary": "Priya asked about 12 Ocean Street and booked an inspection for "
        "Saturday at 10am",
        "agent_name": "Lisa",
        "call_duration": "2m 25s",
        "call_date": timezone.localtime().strftime("%-d %B %Y"),
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
        "agency_name": values["agency_name"],
    }


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, a raw file)."""
    return redirect(static("favicon.ico"))
