"""Sandbox pages: the SMS outbox and "simulate an inbound call"."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from agencies.current import require_agency, role_required
from agencies.models import Role
from agents.models import Agent
from calls.models import SmsMessage
from sandbox.models import SandboxMessage
from sandbox.provider import simulate_inbound_call
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
