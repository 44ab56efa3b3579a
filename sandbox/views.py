"""Sandbox pages: the SMS outbox and "simulate an inbound call"."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from agents.forms import TryAgentForm
from agents.models import Agent
from agents.trial import agent_briefing
from calls.models import SmsMessage
from messages.models import Thread
from sandbox.models import SandboxMessage
from sandbox.provider import simulate_inbound_call, simulate_inbound_sms
from sandbox.trial import scripted_conversation
from sandbox.voices import preview_wav
from voqo.phones import InvalidPhoneNumber, normalize_phone


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """The SMS the sandbox provider 'sent' instead of Twilio, for the current agency.

    The provider keeps no agency: a message is the agency's when its SMS record (same sid)
    is, which every follow-up Voqo sends has.
    """
    agency = require_agency(request)
    mine = SmsMessage.objects.filter(agency=agency).values("sid")
    messages_sent = SandboxMessage.objects.filter(sid__in=mine)
    page = Paginator(messages_sent, 50).get_page(request.GET.get("page"))
    return render(request, "sandbox/outbox.html", {"page": page})


@require_POST
@role_required(Role.STAFF)
def simulate_inbound(request: HttpRequest, agent_id) -> HttpResponse:
    """Sandbox only: make a number 'call' this agent; the call shows up like a real one."""
    if settings.VOQO_PROVIDER != "sandbox":
        raise Http404("Simulated calls exist only in sandbox mode")
    agent = get_object_or_404(Agent, pk=agent_id, agency=request.agency)
    try:
        from_number = normalize_phone(request.POST.get("from_phone", ""))
    except InvalidPhoneNumber as error:
        messages.error(request, f"Cannot simulate that call: {' '.join(error.messages)}")
        return redirect("agents:detail", agent_id=agent.id)
    if not agent.elevenlabs_agent_id:
        messages.error(request, f"{agent.name} is not synced yet: retry the sync first.")
        return redirect("agents:detail", agent_id=agent.id)
    simulate_inbound_call(agent_id=agent.elevenlabs_agent_id, from_number=from_number)
    messages.success(
        request,
        f"{from_number} is calling {agent.name}. The call appears in its call history "
        f"about {settings.SANDBOX_CALL_DELAY:g} seconds after it ends.",
    )
    return redirect("agents:detail", agent_id=agent.id)


@require_GET
def voice_preview(request: HttpRequest, voice_id: str) -> HttpResponse:
    """The short preview of a sample voice (what ElevenLabs' preview_url is when live)."""
    audio = preview_wav(voice_id)
    if audio is None:
        raise Http404("No sample voice has that id")
    response = HttpResponse(audio, content_type="audio/wav")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def try_conversation(request: HttpRequest, agent_id) -> HttpResponse:
    """Sandbox only: the scripted text conversation of the agent's "Try it" tab."""
    if settings.VOQO_PROVIDER != "sandbox":
        raise Http404("Scripted conversations exist only in sandbox mode")
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    form = TryAgentForm(request.GET or None, agent=agent)
    turns = []
    if not form.is_bound or form.is_valid():
        briefing = agent_briefing(
            agent=agent,
            caller_phone=form.cleaned_data["caller_phone"] if form.is_bound else "",
            campaign_values=form.campaign_values() if form.is_bound else {},
        )
        turns = scripted_conversation(agent, briefing)
    partial = request.htmx and not request.htmx.history_restore_request
    template = (
        "sandbox/partials/_try_conversation.html" if partial else "sandbox/try_conversation.html"
    )
    response = render(request, template, {"agent": agent, "turns": turns, "form": form})
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@role_required(Role.STAFF)
def simulate_sms(request: HttpRequest) -> HttpResponse:
    """Sandbox only: make a number text the agency (STOP and START included); the text goes
    through the same handling as a real reply and shows up in Messages."""
    if settings.VOQO_PROVIDER != "sandbox":
        raise Http404("Simulated texts exist only in sandbox mode")
    agency = require_agency(request)
    body = request.POST.get("body", "").strip()
    try:
        from_number = normalize_phone(request.POST.get("from_phone", ""))
    except InvalidPhoneNumber as error:
        messages.error(request, f"Cannot simulate that text: {' '.join(error.messages)}")
        return redirect("messages:list")
    if not body:
        messages.error(request, "Cannot simulate that text: write what it says.")
        return redirect("messages:list")
    simulate_inbound_sms(agency=agency, from_number=from_number, body=body[:1600])
    messages.success(request, f"{from_number} texted: “{body[:80]}”.")
    thread = Thread.objects.filter(agency=agency, phone=from_number).first()
    if thread is None:
        return redirect("messages:list")
    return redirect("messages:thread", thread_id=thread.pk)
