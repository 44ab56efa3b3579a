from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from calls import receiving
from calls.forms import CallFilterForm
from calls.models import Call, SmsMessage, WebhookEvent
from calls.recordings import ensure_recording
from calls.selectors import keyset_page, live_calls_panel, transcript_items
from voqo.events import record_audit
from voqo.htmx import wants_partial
from voqo.models import agency_zone
from voqo.providers import ProviderError


@require_GET
@vary_on_headers("HX-Request")
def call_list(request: HttpRequest) -> HttpResponse:
    """Calls, newest first, filtered; "Older"/"Newer" pages by cursor (no COUNT, no OFFSET)."""
    agency = require_agency(request)
    form = CallFilterForm(request.GET or None, agency=agency)
    # Every page reads the (agency_id, created_at) index: keyset order within one agency.
    calls = form.filter(Call.objects.filter(agency=agency), agency_zone(agency))
    page = keyset_page(
        calls,
        before=request.GET.get("before", ""),
        after=request.GET.get("after", ""),
        rows=Call.objects.filter(agency=agency).select_related("contact"),
    )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "outcome_labels": dict(form.fields["outcome"].choices),
    }
    if wants_partial(request):
        return render(request, "calls/partials/_call_results.html", context)
    context["webhook_problems"] = receiving.problem_events(agency=agency).exists()
    return render(request, "calls/call_list.html", context)


@require_GET
def call_detail(request: HttpRequest, call_id) -> HttpResponse:
    call = agency_object_or_404(
        Call.objects.select_related("contact", "agent"), request, pk=call_id
    )
    context = {
        "call": call,
        "transcript": transcript_items(call.transcript),
        # Through the contact's index: most memories have no call, so the call_id index
        # looks useless to SQLite's planner and it would scan every memory.
        "memories": list(call.memories.filter(contact_id=call.contact_id))
        if call.contact_id
        else [],
        "sms_message": SmsMessage.objects.filter(
            call=call, direction=SmsMessage.Direction.OUTBOUND
        ).first(),
        "dynamic_variables": sorted((call.dynamic_variables or {}).items()),
    }
    return render(request, "calls/call_detail.html", context)


@require_GET
def call_recording(request: HttpRequest, call_id) -> HttpResponse:
    """The recording through Voqo: the stored file, fetched from ElevenLabs the first time."""
    call = agency_object_or_404(Call, request, pk=call_id)
    try:
        available = ensure_recording(call)
    except ProviderError:
        return HttpResponse(
            "The recording could not be fetched from ElevenLabs; try again later.",
            status=502,
            content_type="text/plain",
        )
    if not available:
        raise Http404("This call has no recording.")
    download = "download" in request.GET
    # A player fetches the file in ranges: one playback is the request from the start.
    if download or request.headers.get("Range", "bytes=0-").startswith("bytes=0-"):
        record_audit(
            call.agency_id,
            request.user,
            "recording.downloaded" if download else "recording.played",
            f"{'Downloaded' if download else 'Played'} the recording of call {call.pk}",
            target=f"call:{call.pk}",
        )
    return FileResponse(
        call.recording_file.open("rb"),
        content_type="audio/mpeg",
        as_attachment=download,
        filename=f"call-{call.pk}.mp3",
    )


@require_GET
def webhook_problems(request: HttpRequest) -> HttpResponse:
    """Post-call events that keep failing or were parked, with why; each can be retried."""
    events = (
        receiving.problem_events(agency=require_agency(request))
        .order_by("-received_at")
        .only(
            "event_type",
            "conversation_id",
            "received_at",
            "attempts",
            "next_attempt_at",
            "failed_at",
            "last_error",
        )
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "calls/webhook_problems.html",
        {
            "page": page,
            "max_attempts": receiving.EVENT_MAX_ATTEMPTS,
            "can_retry": request.membership.allows(Role.MANAGER),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def webhook_problem_retry(request: HttpRequest, event_id: int) -> HttpResponse:
    """Give one parked or failing event of the agency a fresh set of attempts now."""
    event = agency_object_or_404(WebhookEvent, request, pk=event_id)
    if receiving.retry_event(event.pk, agency=request.agency):
        messages.success(
            request,
            f"The {event.event_type} event for {event.conversation_id} will be processed again.",
        )
    else:
        messages.info(request, "That event was processed already; nothing to retry.")
    return redirect("calls:webhook_problems")


@require_GET
@vary_on_headers("HX-Request")
def live_call_list(request: HttpRequest) -> HttpResponse:
    """The dashboard's live calls with their elapsed time (polled by HTMX; a page alone
    without JavaScript)."""
    context = live_calls_panel(agency=require_agency(request))
    if wants_partial(request):
        return render(request, "calls/partials/_live_calls.html", context)
    return render(request, "calls/live_calls.html", context)
