from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from agencies.current import agency_object_or_404, role_required
from agencies.models import Role
from agents.models import Agent
from calls.models import Call
from functions import services
from functions.forms import STORED_SECRET_PLACEHOLDER, CustomFunctionForm, FunctionTestForm
from functions.invocation import invoke_function
from functions.models import CustomFunction, FunctionInvocation

RECENT_INVOCATIONS = 50


def _link_calls(invocations: list[FunctionInvocation], agent: Agent) -> list[FunctionInvocation]:
    """Give each invocation `call_id`: the Call its conversation became, when there is one.

    Matched by conversation id when shown (one query), since an inbound call's row is only
    written after the conversation, long after its tool calls. Only the agent's own calls
    count: a conversation id sent with a tool call never links to another agency's call.
    """
    conversation_ids = {i.conversation_id for i in invocations if i.conversation_id}
    calls = dict(
        Call.objects.filter(
            agent=agent, elevenlabs_conversation_id__in=conversation_ids
        ).values_list("elevenlabs_conversation_id", "id")
    )
    for invocation in invocations:
        invocation.call_id = calls.get(invocation.conversation_id)
    return invocations


def _flash_sync_problems(request: HttpRequest, problems: list[str], done: str) -> None:
    if problems:
        messages.error(request, f"{done}, but ElevenLabs is not up to date: " + " ".join(problems))
    else:
        messages.success(request, f"{done}.")


def _function_or_404(request: HttpRequest, function_id) -> CustomFunction:
    """The request agency's function with this id (its agent loaded), else 404."""
    return agency_object_or_404(
        CustomFunction.objects.select_related("agent__agency"), request, pk=function_id
    )


def function_list(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    functions = CustomFunction.objects.filter(agent=agent).order_by("name")
    return render(
        request,
        "functions/function_list.html",
        {
            "agent": agent,
            "functions": functions,
            "active_tab": "functions",
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def function_create(request: HttpRequest, agent_id) -> HttpResponse:
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    form = CustomFunctionForm(request.POST or None, agent=agent)
    if request.method == "POST" and form.is_valid():
        function = form.save()
        problems = services.sync_function(function)
        _flash_sync_problems(request, problems, f"Function {function.name} created")
        for warning in form.credential_warnings():
            messages.warning(request, warning)
        return redirect("functions:list", agent_id=agent.id)
    return render(
        request,
        "functions/function_form.html",
        {
            "agent": agent,
            "form": form,
            "function": None,
            "can_manage": True,
            "stored_secret_placeholder": STORED_SECRET_PLACEHOLDER,
        },
    )


@require_http_methods(["GET", "POST"])
def function_edit(request: HttpRequest, function_id) -> HttpResponse:
    """The function's page: an editable form for managers, the same read-only for others."""
    function = _function_or_404(request, function_id)
    can_manage = request.membership.allows(Role.MANAGER)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(f"Changing functions needs the manager role in {request.agency}.")
    if request.method == "POST" and function.builtin:
        # Answered by Voqo itself: its schema and description are Voqo's, not the agency's.
        messages.info(
            request,
            f"{function.name} is built into Voqo: switch it on or off per agent on the "
            "Knowledge page; its settings cannot be edited.",
        )
        return redirect("functions:edit", function_id=function.id)
    form = CustomFunctionForm(request.POST or None, instance=function, agent=function.agent)
    if request.method == "POST" and form.is_valid():
        function = form.save()
        problems = services.sync_function(function)
        _flash_sync_problems(request, problems, f"Function {function.name} saved")
        for warning in form.credential_warnings():
            messages.warning(request, warning)
        return redirect("functions:edit", function_id=function.id)
    invocations = _link_calls(
        list(FunctionInvocation.objects.filter(function=function)[:RECENT_INVOCATIONS]),
        function.agent,
    )
    return render(
        request,
        "functions/function_form.html",
        {
            "agent": function.agent,
            "form": form,
            "function": function,
            "invocations": invocations,
            "can_manage": can_manage,
            "stored_secret_placeholder": STORED_SECRET_PLACEHOLDER,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def function_delete(request: HttpRequest, function_id) -> HttpResponse:
    function = _function_or_404(request, function_id)
    agent = function.agent
    if request.method == "POST":
        name = function.name
        problems = services.delete_function(function)
        _flash_sync_problems(request, problems, f"Function {name} deleted")
        return redirect("functions:list", agent_id=agent.id)
    return render(
        request, "functions/function_confirm_delete.html", {"agent": agent, "function": function}
    )


@require_POST
@role_required(Role.MANAGER)
def function_toggle(request: HttpRequest, function_id) -> HttpResponse:
    function = _function_or_404(request, function_id)
    enabled = not function.enabled
    problems = services.set_function_enabled(function, enabled)
    _flash_sync_problems(
        request, problems, f"Function {function.name} {'enabled' if enabled else 'disabled'}"
    )
    if request.htmx:
        return render(
            request, "functions/partials/_function_toggle_response.html", {"function": function}
        )
    return redirect("functions:list", agent_id=function.agent_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def function_test(request: HttpRequest, function_id) -> HttpResponse:
    function = _function_or_404(request, function_id)
    # Bound on every POST: a function without arguments posts an empty form.
    data = request.POST if request.method == "POST" else None
    form = FunctionTestForm(data, schema=function.parameters or {})
    result = None
    if request.method == "POST" and form.is_valid():
        result = invoke_function(
            function, arguments=form.arguments(), source=FunctionInvocation.Source.TEST
        )
    context = {"agent": function.agent, "function": function, "form": form, "result": result}
    if request.htmx:
        return render(request, "functions/partials/_test_panel.html", context)
    return render(request, "functions/function_test.html", context)
