from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from calls.forms import CallFilterForm
from calls.models import Call, SmsMessage
from calls.recordings import ensure_recording
from calls.selectors import keyset_page, transcript_items
from voqo.htmx import wants_partial
from voqo.models import agency_zone
from voqo.providers import ProviderError


@require_GET
@vary_on_headers("HX-Request")
def call_list(request: HttpRequest) -> HttpResponse:
    """Calls, newest first, filtered; "Older"/"Newer" pages by cursor (no COUNT, no OFFSET)."""
    form = CallFilterForm(request.GET or None)
    calls = form.filter(Call.objects.select_related("contact"), agency_zone())
    page = keyset_page(
        calls, before=request.GET.get("before", ""), after=request.GET.get("after", "")
    )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    template = (
        "calls/partials/_call_results.html" if wants_partial(request) else "calls/call_list.html"
    )
    return render(request, template, context)


@require_GET
def call_detail(request: HttpRequest, call_id) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("contact", "agent"), pk=call_id)
    context = {
        "call": call,
        "transcript": transcript_items(call.transcript),
        "memories": list(call.memories.all()),
        "sms_message": SmsMessage.objects.filter(
            call=call, direction=SmsMessage.Direction.OUTBOUND
        ).first(),
        "dynamic_variables": sorted((call.dynamic_variables or {}).items()),
    }
    return render(request, "calls/call_detail.html", context)


@require_GET
def call_recording(request: HttpRequest, call_id) -> HttpResponse:
    """The recording through Voqo: the stored file, fetched from ElevenLabs the first time."""
    call = get_object_or_404(Call, pk=call_id)
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
    return FileResponse(call.recording_file.open("rb"), content_type="audio/mpeg")
