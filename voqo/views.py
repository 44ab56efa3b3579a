from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from voqo.models import Setting


def dashboard(request: HttpRequest) -> HttpResponse:
    from calls.models import Call

    recent_calls = Call.objects.select_related("contact")[:10]
    return render(request, "voqo/dashboard.html", {"recent_calls": recent_calls})


def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "voqo/settings.html", {"settings_values": Setting.all_values()})


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def sandbox_outbox(request: HttpRequest) -> HttpResponse:
    """The SMS the sandbox provider 'sent' instead of Twilio."""
    from django.core.paginator import Paginator

    from voqo.models import SandboxMessage

    page = Paginator(SandboxMessage.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "voqo/sandbox_outbox.html", {"page": page})
