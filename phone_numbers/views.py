from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from phone_numbers import services
from phone_numbers.forms import PhoneNumberForm
from phone_numbers.models import PhoneNumber


@require_GET
def number_list(request: HttpRequest) -> HttpResponse:
    numbers = PhoneNumber.objects.filter(agency=require_agency(request)).select_related("agent")
    return render(request, "phone_numbers/number_list.html", {"numbers": numbers})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def number_create(request: HttpRequest) -> HttpResponse:
    return _number_form(request, number=None)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def number_edit(request: HttpRequest, number_id) -> HttpResponse:
    return _number_form(request, number=agency_object_or_404(PhoneNumber, request, pk=number_id))


def _number_form(request: HttpRequest, *, number: PhoneNumber | None) -> HttpResponse:
    form = PhoneNumberForm(request.POST or None, instance=number, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        synced = services.save_phone_number(saved, actor=request.user, created=number is None)
        _report_sync(request, saved, synced)
        return redirect("phone_numbers:list")
    return render(request, "phone_numbers/number_form.html", {"form": form, "number": number})


def _report_sync(request: HttpRequest, number: PhoneNumber, synced: bool) -> None:
    if synced:
        messages.success(request, f"{number.number} is saved and registered with ElevenLabs.")
    else:
        messages.error(
            request,
            f"{number.number} is saved here, but ElevenLabs refused it: {number.sync_error}",
        )


@require_POST
@role_required(Role.MANAGER)
def number_sync(request: HttpRequest, number_id) -> HttpResponse:
    number = agency_object_or_404(PhoneNumber, request, pk=number_id)
    _report_sync(request, number, services.sync_phone_number(number))
    return redirect("phone_numbers:list")


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def number_delete(request: HttpRequest, number_id) -> HttpResponse:
    number = agency_object_or_404(PhoneNumber, request, pk=number_id)
    if request.method == "POST":
        e164 = number.number
        warning = services.delete_phone_number(number, actor=request.user)
        messages.success(request, f"{e164} was deleted. Its call history is kept.")
        if warning:
            messages.warning(request, warning)
        return redirect("phone_numbers:list")
    return render(request, "phone_numbers/number_confirm_delete.html", {"number": number})
