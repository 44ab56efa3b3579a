"""The owners' webhook pages: endpoints, their delivery log, resend and test events."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.current import agency_object_or_404, role_required
from agencies.models import Role
from webhooks import endpoints, sending
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint

DELIVERY_PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def endpoint_list(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        created = endpoints.create_endpoint(agency=request.agency, by=request.user, **_values(form))
        return render(
            request,
            "webhooks/endpoint_created.html",
            {"endpoint": created.endpoint, "secret": created.secret},
        )
    context = {
        "form": form,
        "endpoints": Endpoint.objects.filter(agency=request.agency).select_related("agent"),
    }
    return render(request, "webhooks/endpoint_list.html", context)


def _values(form: EndpointForm) -> dict:
    data = form.cleaned_data
    return {
        "url": data["url"],
        "description": data["description"],
        "event_types": data["event_types"],
        "agent": data["agent"],
    }


@require_GET
@role_required(Role.OWNER)
def endpoint_detail(request: HttpRequest, endpoint_id) -> HttpResponse:
    endpoint = agency_object_or_404(
        Endpoint.objects.select_related("agent"), request, pk=endpoint_id
    )
    deliveries = endpoint.deliveries.select_related("event").order_by("-created_at", "-id")
    page = Paginator(deliveries, DELIVERY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "webhooks/endpoint_detail.html", {"endpoint": endpoint, "deliveries": page}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def endpoint_edit(request: HttpRequest, endpoint_id) -> HttpResponse:
    endpoint = agency_object_or_404(Endpoint, request, pk=endpoint_id)
    form = EndpointForm(request.POST or None, agency=request.agency, endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        endpoints.update_endpoint(
            endpoint, by=request.user, active=form.cleaned_data["active"], **_values(form)
        )
        messages.success(request, "Endpoint saved.")
        return redirect("webhooks:detail", endpoint_id=endpoint.id)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@require_POST
@role_required(Role.OWNER)
def endpoint_test(request: HttpRequest, endpoint_id) -> HttpResponse:
    endpoint = agency_object_or_404(Endpoint, request, pk=endpoint_id)
    if not endpoint.active:
        messages.error(request, "Enable the endpoint first: an inactive endpoint receives nothing.")
    else:
        sending.send_test_event(endpoint=endpoint)
        messages.success(request, "A test.ping event is on its way; its delivery is below.")
    return redirect("webhooks:detail", endpoint_id=endpoint.id)


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def endpoint_rotate_secret(request: HttpRequest, endpoint_id) -> HttpResponse:
    """Confirm, then replace the signing secret (shown once)."""
    endpoint = agency_object_or_404(Endpoint, request, pk=endpoint_id)
    if request.method == "POST":
        secret = endpoints.rotate_secret(endpoint, by=request.user)
        return render(
            request,
            "webhooks/endpoint_created.html",
            {"endpoint": endpoint, "secret": secret, "rotated": True},
        )
    return render(request, "webhooks/endpoint_confirm_rotate.html", {"endpoint": endpoint})


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def endpoint_delete(request: HttpRequest, endpoint_id) -> HttpResponse:
    endpoint = agency_object_or_404(Endpoint, request, pk=endpoint_id)
    if request.method == "POST":
        endpoints.delete_endpoint(endpoint, by=request.user)
        messages.success(request, f"The endpoint {endpoint.url} is deleted.")
        return redirect("webhooks:list")
    return render(request, "webhooks/endpoint_confirm_delete.html", {"endpoint": endpoint})


@require_GET
@role_required(Role.OWNER)
def delivery_detail(request: HttpRequest, endpoint_id, delivery_id) -> HttpResponse:
    delivery = agency_object_or_404(
        Delivery.objects.select_related("event", "endpoint"),
        request,
        pk=delivery_id,
        endpoint_id=endpoint_id,
    )
    return render(
        request,
        "webhooks/delivery_detail.html",
        {"delivery": delivery, "attempts": delivery.attempt_log.all()[:50]},
    )


@require_POST
@role_required(Role.OWNER)
def delivery_resend(request: HttpRequest, endpoint_id, delivery_id) -> HttpResponse:
    delivery = agency_object_or_404(
        Delivery.objects.select_related("endpoint"),
        request,
        pk=delivery_id,
        endpoint_id=endpoint_id,
    )
    if not delivery.endpoint.active:
        messages.error(request, "Enable the endpoint first: an inactive endpoint receives nothing.")
    else:
        sending.resend(delivery=delivery)
        messages.success(request, "Sent again, with the same event id.")
    return redirect("webhooks:delivery", endpoint_id=endpoint_id, delivery_id=delivery.id)
