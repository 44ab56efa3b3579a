"""The agency's prompt library: saved prompts to start agents (and jobs) from."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from agents import prompts
from agents.forms import SavedPromptForm
from agents.models import SavedPrompt


@require_GET
def prompt_list(request: HttpRequest) -> HttpResponse:
    saved = SavedPrompt.objects.filter(agency=require_agency(request))
    category = request.GET.get("category", "")
    if category in SavedPrompt.Category.values:
        saved = saved.filter(category=category)
    return render(
        request,
        "agents/prompt_list.html",
        {"prompts": saved, "categories": SavedPrompt.Category.choices, "category": category},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def prompt_create(request: HttpRequest) -> HttpResponse:
    return _prompt_form(request, saved=None)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def prompt_edit(request: HttpRequest, prompt_id) -> HttpResponse:
    return _prompt_form(request, saved=agency_object_or_404(SavedPrompt, request, pk=prompt_id))


def _prompt_form(request: HttpRequest, *, saved: SavedPrompt | None) -> HttpResponse:
    initial = {}
    if saved is None and request.GET.get("from_agent"):
        from agents.models import Agent

        agent = agency_object_or_404(Agent, request, pk=request.GET["from_agent"])
        initial = {
            "name": f"{agent.name} prompt",
            "system_prompt": agent.system_prompt,
            "greeting_message": agent.greeting_message,
        }
    form = SavedPromptForm(
        request.POST or None, instance=saved, initial=initial, agency=request.agency
    )
    if request.method == "POST" and form.is_valid():
        prompt = prompts.save_prompt(form.save(commit=False), actor=request.user)
        messages.success(request, f"“{prompt.name}” is saved in the prompt library.")
        return redirect("agents:prompts")
    return render(request, "agents/prompt_form.html", {"form": form, "saved": saved})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def prompt_delete(request: HttpRequest, prompt_id) -> HttpResponse:
    saved = agency_object_or_404(SavedPrompt, request, pk=prompt_id)
    if request.method == "POST":
        name = saved.name
        saved.delete()
        messages.success(request, f"“{name}” was deleted from the library. Agents keep their text.")
        return redirect("agents:prompts")
    return render(request, "agents/prompt_confirm_delete.html", {"saved": saved})
