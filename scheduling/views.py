"""Scheduled calls: list and week views, schedule, edit or reschedule, cancel."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET, require_http_methods

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from calls.models import Call
from contacts.models import Contact
from scheduling.forms import ScheduleCallForm, ScheduledCallForm
from scheduling.models import ScheduledCall
from scheduling.services import (
    OutsideCallingWindow,
    SchedulingRefused,
    cancel_scheduled_call,
    recipients_for,
    schedule_call,
    update_scheduled_call,
)
from voqo.models import agency_zone

ACTIVE = (ScheduledCall.Status.PENDING, ScheduledCall.Status.IN_PROGRESS)


@require_GET
def scheduled_list(request: HttpRequest) -> HttpResponse:
    """Upcoming calls (soonest first), then the ones already placed or cancelled."""
    agency = require_agency(request)
    rows = ScheduledCall.objects.filter(agency=agency).select_related("contact", "agent", "call")
    upcoming = rows.filter(status__in=ACTIVE).order_by("scheduled_at")
    history = rows.exclude(status__in=ACTIVE).order_by("-scheduled_at")
    context = {
        "upcoming": Paginator(upcoming, 50).get_page(request.GET.get("page")),
        "history": list(history[:50]),
    }
    return render(request, "scheduling/list.html", context)


@require_GET
def scheduled_week(request: HttpRequest) -> HttpResponse:
    """Seven days from Monday in the agency's zone, each with its calls."""
    agency = require_agency(request)
    zone = agency_zone(agency)
    start = parse_date(request.GET.get("start", "") or "") or timezone.localdate(timezone=zone)
    monday = start - timedelta(days=start.weekday())
    begin = datetime.combine(monday, time.min, tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone)
    rows = (
        ScheduledCall.objects.filter(agency=agency, scheduled_at__gte=begin, scheduled_at__lt=end)
        .select_related("contact", "agent")
        .order_by("scheduled_at")
    )
    days: dict[date, list[ScheduledCall]] = {monday + timedelta(days=n): [] for n in range(7)}
    for row in rows:
        days[timezone.localtime(row.scheduled_at, zone).date()].append(row)
    context = {
        "days": list(days.items()),
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "today": timezone.localdate(timezone=zone),
    }
    return render(request, "scheduling/week.html", context)


def _prefill(request: HttpRequest) -> dict:
    """?contact=<id>&at=<iso>&agent=<id> (from "Call back" and a callback-requested outcome)."""
    agency = request.agency
    initial: dict = {}
    contact_id = request.GET.get("contact", "")
    if contact_id:
        contact = Contact.objects.filter(agency=agency, pk=_uuid_or_none(contact_id)).first()
        if contact is not None:
            initial["recipients"] = contact.phone
    call_id = request.GET.get("call", "")
    if call_id:
        call = Call.objects.filter(agency=agency, pk=_uuid_or_none(call_id)).first()
        if call is not None:
            initial.setdefault("recipients", call.external_phone)
            if call.agent_id:
                initial["agent"] = call.agent_id
    if request.GET.get("agent"):
        initial["agent"] = request.GET["agent"]
    moment = parse_datetime(request.GET.get("at", "") or "")
    if moment is not None:
        zone = agency_zone(agency)
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=zone)
        initial["at"] = timezone.localtime(moment, zone).replace(tzinfo=None)
    return initial


def _uuid_or_none(text: str):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _window_error(form, refusal: OutsideCallingWindow) -> None:
    form.add_error("at", str(refusal))
    zone = form.zone
    form.next_allowed = timezone.localtime(refusal.opens_at, zone).strftime("%Y-%m-%dT%H:%M")


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def schedule_new(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    form = ScheduleCallForm(
        request.POST or None, agency=agency, initial=None if request.POST else _prefill(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            rows = schedule_call(
                agency=agency,
                agent=form.cleaned_data["agent"],
                recipients=recipients_for(agency=agency, phones=form.cleaned_data["recipients"]),
                at=form.cleaned_data["at"],
                from_number=form.cleaned_data["from_number"],
                prompt=form.prompt(),
                dynamic_variables=form.cleaned_data["variables"],
                by=request.user,
            )
        except OutsideCallingWindow as refusal:
            _window_error(form, refusal)
        except SchedulingRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            noun = "call" if len(rows) == 1 else f"{len(rows)} calls"
            when = timezone.localtime(rows[0].scheduled_at, agency_zone(agency))
            messages.success(request, f"Scheduled the {noun} for {when:%a %-d %b, %-I:%M %p}.")
            return redirect("scheduling:list")
    return render(request, "scheduling/form.html", {"form": form, "scheduled": None})


@require_GET
def scheduled_detail(request: HttpRequest, scheduled_call_id) -> HttpResponse:
    row = agency_object_or_404(
        ScheduledCall.objects.select_related("contact", "agent", "call", "from_number"),
        request,
        pk=scheduled_call_id,
    )
    return render(request, "scheduling/detail.html", {"scheduled": row})


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def scheduled_edit(request: HttpRequest, scheduled_call_id) -> HttpResponse:
    agency = require_agency(request)
    row = agency_object_or_404(
        ScheduledCall.objects.select_related("contact", "agent"), request, pk=scheduled_call_id
    )
    if not row.is_editable:
        messages.error(
            request, f"This call is {row.get_status_display().lower()}: it cannot change."
        )
        return redirect("scheduling:detail", scheduled_call_id=row.pk)
    zone = agency_zone(agency)
    initial = {
        "at": timezone.localtime(row.scheduled_at, zone).replace(tzinfo=None),
        "agent": row.agent_id,
        "from_number": row.from_number_id,
        "prompt_text": row.prompt_text,
        "variables": "\n".join(f"{k}={v}" for k, v in row.dynamic_variables.items()),
    }
    form = ScheduledCallForm(request.POST or None, agency=agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        prompt = form.prompt()
        try:
            update_scheduled_call(
                scheduled_call=row,
                agent=form.cleaned_data["agent"],
                at=form.cleaned_data["at"],
                from_number=form.cleaned_data["from_number"],
                # An unchanged text keeps its source ("Lisa's prompt as of …").
                prompt=_keep_source(row, prompt),
                dynamic_variables=form.cleaned_data["variables"],
                by=request.user,
            )
        except OutsideCallingWindow as refusal:
            _window_error(form, refusal)
        except SchedulingRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Saved the scheduled call.")
            return redirect("scheduling:detail", scheduled_call_id=row.pk)
    return render(request, "scheduling/form.html", {"form": form, "scheduled": row})


def _keep_source(row: ScheduledCall, prompt):
    if prompt is not None and prompt.text == row.prompt_text and row.prompt_source:
        return type(prompt)(text=row.prompt_text, source=row.prompt_source)
    return prompt


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def scheduled_cancel(request: HttpRequest, scheduled_call_id) -> HttpResponse:
    """GET asks for confirmation; POST cancels."""
    row = agency_object_or_404(
        ScheduledCall.objects.select_related("contact"), request, pk=scheduled_call_id
    )
    if request.method == "POST":
        try:
            cancel_scheduled_call(scheduled_call=row, by=request.user)
        except SchedulingRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "Cancelled the scheduled call.")
        return redirect(reverse("scheduling:detail", args=[row.pk]))
    return render(request, "scheduling/cancel.html", {"scheduled": row})
