import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from agents import prompts, services
from agents.audit import record_prompt_changes
from agents.forms import (
    CAMPAIGN_VARIABLES_HELP,
    AgentForm,
    TryAgentForm,
    template_initial,
    variables_reference,
)
from agents.models import Agent, PromptVersion, SavedPrompt
from agents.trial import agent_briefing
from agents.voices import default_voice_id, workspace_voices
from phone_numbers.models import PhoneNumber

CALLS_PER_PAGE = 25


def agent_list(request: HttpRequest) -> HttpResponse:
    agents = Agent.objects.filter(agency=require_agency(request)).order_by("name")
    return render(request, "agents/agent_list.html", {"agents": agents})


@role_required(Role.MANAGER)
def agent_create(request: HttpRequest) -> HttpResponse:
    return _agent_form(request, agent=None)


@role_required(Role.MANAGER)
def agent_edit(request: HttpRequest, agent_id) -> HttpResponse:
    return _agent_form(request, agent=agency_object_or_404(Agent, request, pk=agent_id))


def _agent_form(request: HttpRequest, *, agent: Agent | None) -> HttpResponse:
    voices = workspace_voices(require_agency(request))
    if request.method == "POST" and "load_template" in request.POST:
        # Without JavaScript, "Fill from template" posts the form back to swap the two fields.
        values = {**request.POST.dict(), **template_initial(request.POST.get("template", ""))}
        form = AgentForm(instance=agent, initial=values)
    elif request.method == "POST":
        # Read before binding: validating the form writes the posted values into `agent`.
        before = (agent.system_prompt, agent.greeting_message) if agent else ("", "")
        form = AgentForm(request.POST, instance=agent)
        if agent is None:
            form.instance.agency = request.agency
        if form.is_valid():
            saved = form.save()
            prompts.record_prompt_version(saved, saved_by=request.user)
            record_prompt_changes(
                agent=saved, prompt_before=before[0], greeting_before=before[1], actor=request.user
            )
            _report_sync(request, saved, services.sync_agent(saved), created=agent is None)
            return redirect("agents:detail", agent_id=saved.id)
    elif agent is None:
        initial = template_initial(Agent.Template.PROPERTY_SALES)
        initial.update(_saved_prompt_initial(request))
        form = AgentForm(initial={**initial, "voice_id": default_voice_id(voices[0])})
    else:
        form = AgentForm(instance=agent)
    context = _form_context(form, agent, voices)
    if agent is None:
        context["saved_prompts"] = SavedPrompt.objects.filter(agency=request.agency)
    return render(request, "agents/agent_form.html", context)


def _saved_prompt_initial(request: HttpRequest) -> dict[str, str]:
    """Prompt and greeting of the library prompt named by ?prompt=<id> (to start an agent)."""
    prompt_id = request.GET.get("prompt", "")
    if not prompt_id:
        return {}
    try:
        saved = agency_object_or_404(SavedPrompt, request, pk=prompt_id)
    except ValidationError:
        raise Http404("No such saved prompt") from None
    return {
        "template": Agent.Template.CUSTOM,
        "system_prompt": saved.system_prompt,
        "greeting_message": saved.greeting_message,
    }


def _form_context(
    form: AgentForm, agent: Agent | None, voices: tuple[list, str] | None = None
) -> dict:
    voices, voices_problem = voices or workspace_voices()
    current_voice = str(form["voice_id"].value() or "")
    return {
        "form": form,
        "agent": agent,
        "voices": voices,
        "voices_problem": voices_problem,
        "current_voice": current_voice,
        "current_voice_listed": any(v.voice_id == current_voice for v in voices),
        "variables": variables_reference(),
        "campaign_variables": form.campaign_variables(),
        "campaign_variables_help": CAMPAIGN_VARIABLES_HELP,
    }


def _report_sync(request: HttpRequest, agent: Agent, synced: bool, *, created: bool) -> None:
    verb = "created" if created else "saved"
    if synced:
        messages.success(request, f"{agent.name} was {verb} and synced to ElevenLabs.")
    else:
        messages.error(
            request,
            f"{agent.name} was {verb} here, but ElevenLabs refused the sync: {agent.sync_error}",
        )


@require_GET
@role_required(Role.MANAGER)
def template_fields(request: HttpRequest) -> HttpResponse:
    """The prompt and greeting fields filled from a template (HTMX swap on the form)."""
    initial = template_initial(request.GET.get("template", ""))
    if not initial:
        raise Http404("Unknown template")
    if not request.htmx:
        # Plain GET: open the new-agent form pre-filled with this template.
        return render(
            request, "agents/agent_form.html", _form_context(AgentForm(initial=initial), None)
        )
    form = AgentForm(initial=initial)
    return render(request, "agents/partials/_template_fields.html", {"form": form})


def agent_detail(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    return render(
        request,
        "agents/agent_detail.html",
        {
            "agent": agent,
            "active_tab": "overview",
            "sandbox": settings.VOQO_PROVIDER == "sandbox",
            "recent_calls": agent.calls.order_by("-created_at")[:5],
            "numbers": PhoneNumber.objects.filter(agent=agent, active=True),
            "variables": variables_reference(),
        },
    )


def agent_calls(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    calls = agent.calls.select_related("contact").order_by("-created_at", "-id")
    page = Paginator(calls, CALLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "agents/agent_calls.html", {"agent": agent, "active_tab": "calls", "page": page}
    )


@require_POST
@role_required(Role.MANAGER)
def agent_toggle(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    # An explicit target state keeps a double-submitted toggle from flipping back.
    wanted = request.POST.get("enabled")
    enabled = (wanted == "1") if wanted in ("0", "1") else not agent.enabled
    services.set_enabled(agent, enabled)
    if request.htmx:
        return render(request, "agents/partials/_agent_card.html", {"agent": agent})
    state = "enabled" if agent.enabled else "disabled"
    messages.success(request, f"{agent.name} is now {state}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("agents:list")
    return redirect(next_url)


@require_POST
@role_required(Role.MANAGER)
def agent_sync(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    if services.sync_agent(agent):
        messages.success(request, f"{agent.name} is synced to ElevenLabs.")
    else:
        messages.error(request, f"ElevenLabs refused the sync again: {agent.sync_error}")
    return redirect("agents:detail", agent_id=agent.id)


@role_required(Role.MANAGER)
def agent_delete(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    if request.method == "POST":
        name = agent.name
        warning = services.delete_agent(agent)
        messages.success(request, f"{name} was deleted. Its call history is kept.")
        if warning:
            messages.warning(request, warning)
        return redirect("agents:list")
    return render(
        request,
        "agents/agent_confirm_delete.html",
        {"agent": agent, "call_count": agent.calls.count()},
    )


# --- Prompt history ---------------------------------------------------------------------


@require_GET
def agent_history(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    versions = agent.prompt_versions.order_by("-created_at")
    return render(
        request,
        "agents/agent_history.html",
        {"agent": agent, "active_tab": "history", "versions": versions},
    )


@require_GET
def agent_version(request: HttpRequest, agent_id, version_id) -> HttpResponse:
    """One version beside the one before it (or beside the current text: ?against=current)."""
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    version = _version_or_404(agent, version_id)
    against_current = request.GET.get("against") == "current"
    if against_current:
        old_prompt, old_greeting = version.system_prompt, version.greeting_message
        new_prompt, new_greeting = agent.system_prompt, agent.greeting_message
        earlier = None
    else:
        earlier = prompts.version_before(version)
        old_prompt = earlier.system_prompt if earlier else ""
        old_greeting = earlier.greeting_message if earlier else ""
        new_prompt, new_greeting = version.system_prompt, version.greeting_message
    return render(
        request,
        "agents/agent_version.html",
        {
            "agent": agent,
            "active_tab": "history",
            "version": version,
            "earlier": earlier,
            "against_current": against_current,
            "is_current": (version.system_prompt, version.greeting_message)
            == (agent.system_prompt, agent.greeting_message),
            "prompt_rows": prompts.side_by_side(old_prompt, new_prompt),
            "greeting_rows": prompts.side_by_side(old_greeting, new_greeting),
        },
    )


def _version_or_404(agent: Agent, version_id) -> PromptVersion:
    version = agent.prompt_versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No such version of this agent's prompt")
    return version


@require_POST
@role_required(Role.MANAGER)
def agent_version_restore(request: HttpRequest, agent_id, version_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    version = _version_or_404(agent, version_id)
    if prompts.restore_prompt_version(version, restored_by=request.user):
        messages.success(request, f"The earlier prompt of {agent.name} is restored and synced.")
    else:
        agent.refresh_from_db()
        messages.error(
            request,
            f"The earlier prompt is restored here, but ElevenLabs refused the sync: "
            f"{agent.sync_error}",
        )
    return redirect("agents:history", agent_id=agent.id)


# --- Try the agent ----------------------------------------------------------------------


@require_GET
def agent_try(request: HttpRequest, agent_id) -> HttpResponse:
    """Try the agent before it goes live: what it is told, and a conversation with it (the
    ElevenLabs widget when live, a scripted text conversation in the sandbox)."""
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    form = TryAgentForm(request.GET or None, agent=agent)
    briefing = None
    if form.is_valid():
        briefing = agent_briefing(
            agent=agent,
            caller_phone=form.cleaned_data["caller_phone"],
            campaign_values=form.campaign_values(),
        )
    elif not form.is_bound:
        briefing = agent_briefing(agent=agent)
    return render(
        request,
        "agents/agent_try.html",
        {
            "agent": agent,
            "active_tab": "try",
            "form": form,
            "briefing": briefing,
            "sandbox": settings.VOQO_PROVIDER == "sandbox",
            "query": request.GET.urlencode(),
            "variables_json": json.dumps(briefing.variables) if briefing else "{}",
        },
    )
