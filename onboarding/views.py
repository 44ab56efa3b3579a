from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from agencies.current import role_required
from onboarding import connections
from onboarding.checklist import (
    DISMISSED_SETTING,
    SANDBOX_CHOSEN_SETTING,
    getting_started,
)
from voqo.last_seen import WEBHOOK_KINDS, webhook_history
from voqo.models import Setting

TESTS = ("post_call", "initiation")


@require_GET
def connections_page(request: HttpRequest) -> HttpResponse:
    """Each provider's state, the URLs and headers to paste, checks and test webhooks."""
    return render(request, "onboarding/connections.html", _page_context())


@require_POST
@role_required("owner")
def check_now(request: HttpRequest) -> HttpResponse:
    """Ask ElevenLabs and Twilio whether the keys work; the page shows the answer."""
    connections.check_connections()
    if request.htmx:
        response = render(request, "onboarding/partials/_providers.html", _page_context())
        patch_vary_headers(response, ("HX-Request",))
        return response
    return redirect("onboarding:connections")


@require_POST
@role_required("owner")
def send_test(request: HttpRequest) -> HttpResponse:
    """Send a signed test webhook (or an initiation request) to Voqo's own public URL."""
    kind = request.POST.get("kind", "")
    if kind not in TESTS:
        messages.error(request, "Choose which webhook to test: post-call or initiation.")
        if request.htmx:
            return render(request, "partials/_messages.html")
        return redirect("onboarding:connections")
    if kind == "post_call":
        result = connections.send_test_post_call_webhook()
    else:
        result = connections.send_test_initiation_request()
    if request.htmx:
        response = render(request, "onboarding/partials/_test_result.html", {"result": result})
    else:
        response = render(
            request, "onboarding/connections.html", {**_page_context(), "result": result}
        )
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@role_required("manager")
def stay_in_sandbox(request: HttpRequest) -> HttpResponse:
    """Tick the keys step for someone trying Voqo without provider keys."""
    if settings.VOQO_PROVIDER != "sandbox":
        messages.error(
            request, "Voqo already runs with provider keys: there is no sandbox to stay in."
        )
        return redirect("dashboard")
    Setting.set_value(SANDBOX_CHOSEN_SETTING, True, request.agency)
    messages.success(request, "Staying in the sandbox: calls and SMS are simulated.")
    return redirect("dashboard")


@require_POST
@role_required("manager")
def dismiss_checklist(request: HttpRequest) -> HttpResponse:
    """Hide the getting-started checklist for good, once every step is done."""
    checklist = getting_started(request.agency)
    if checklist is not None and not checklist.complete:
        left = len(checklist.steps) - checklist.done_count
        messages.error(
            request, f"The checklist stays until every step is done: {left} still to go."
        )
        return redirect("dashboard")
    Setting.set_value(DISMISSED_SETTING, True, request.agency)
    messages.success(request, "Getting started is done: the checklist is hidden.")
    return redirect("dashboard")


def _page_context() -> dict:
    last_check = connections.last_check()
    history = webhook_history()
    twilio_check = last_check.checks.get("twilio") if last_check else None
    return {
        "sandbox": settings.VOQO_PROVIDER == "sandbox",
        "urls": connections.webhook_urls(),
        "public_base_url": settings.PUBLIC_BASE_URL,
        "public_base_url_problem": connections.public_base_url_problem(),
        "initiation_token": settings.ELEVENLABS_INITIATION_TOKEN,
        "elevenlabs_settings": _settings_state(connections.ELEVENLABS_SETTINGS),
        "twilio_settings": _settings_state(connections.TWILIO_SETTINGS),
        "last_check": last_check,
        "elevenlabs_check": last_check.checks.get("elevenlabs") if last_check else None,
        "twilio_check": twilio_check,
        "inbound_sms_problem": connections.inbound_sms_problem(twilio_check),
        "last_outbound_call": connections.last_outbound_call(),
        "elevenlabs_webhooks": [
            (WEBHOOK_KINDS[kind], history[kind]) for kind in ("post_call", "initiation")
        ],
        "twilio_webhooks": [
            (WEBHOOK_KINDS[kind], history[kind]) for kind in ("twilio_sms", "twilio_sms_status")
        ],
    }


def _settings_state(names: tuple[tuple[str, str], ...]) -> list[tuple[str, str, bool]]:
    return [(name, label, bool(getattr(settings, name, ""))) for name, label in names]
