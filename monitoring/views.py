import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from monitoring.checks import check_all
from monitoring.metrics import render_metrics


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """The database, the broker and the worker's heartbeat: 200 when all are well, else 503
    naming the failing part(s)."""
    parts = check_all()
    failing = [part.name for part in parts if not part.ok]
    body = {
        "status": "ok" if not failing else "failing: " + ", ".join(failing),
        "checks": {part.name: {"ok": part.ok, "detail": part.detail} for part in parts},
    }
    return JsonResponse(body, status=503 if failing else 200)


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for a scraper that sends `Authorization: Bearer METRICS_TOKEN`."""
    if not settings.METRICS_TOKEN:
        return HttpResponse(
            "Metrics are off: set METRICS_TOKEN to turn them on.\n",
            status=404,
            content_type="text/plain",
        )
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.METRICS_TOKEN.encode()
    ):
        response = HttpResponse(
            "Send the metrics token as 'Authorization: Bearer <METRICS_TOKEN>'.\n",
            status=401,
            content_type="text/plain",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
