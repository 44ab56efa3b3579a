from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from agents.models import Agent
from knowledge import listings_document, services
from knowledge.forms import AgentKnowledgeForm, DocumentAgentsForm, DocumentForm, EditDocumentForm
from knowledge.models import KnowledgeDocument
from listings.tool import search_tool, set_search_tool

TEXT_PREVIEW_CHARS = 3_000


def _flash(request: HttpRequest, problems: list[str], done: str) -> None:
    if problems:
        messages.warning(request, f"{done}, but: " + " ".join(problems))
    else:
        messages.success(request, f"{done}.")


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    """The agency's documents, and what each agent may cite."""
    agency = require_agency(request)
    documents = (
        KnowledgeDocument.objects.filter(agency=agency)
        .prefetch_related("agents")
        .order_by("source", "name")
    )
    agents = Agent.objects.filter(agency=agency).order_by("name")
    return render(
        request, "knowledge/document_list.html", {"documents": documents, "agents": agents}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def document_add(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    posted = request.method == "POST"
    form = DocumentForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        data, actor = form.cleaned_data, request.user.get_username()
        if data["file"]:
            document = services.add_file(
                agency=agency,
                name=data["name"],
                upload=data["file"],
                file_type=form.file_type,
                actor=actor,
                by=request.user,
            )
        elif data["url"]:
            document = services.add_url(
                agency=agency, name=data["name"], url=data["url"], actor=actor, by=request.user
            )
        else:
            document = services.add_text(
                agency=agency, name=data["name"], text=data["text"], actor=actor, by=request.user
            )
        document.refresh_from_db()
        if document.status == KnowledgeDocument.Status.ERROR:
            messages.error(request, f"{document.name}: {document.error_message}")
        else:
            messages.success(request, f"Added {document.name}.")
        return redirect("knowledge:detail", document_id=document.id)
    return render(request, "knowledge/document_add.html", {"form": form})


@require_GET
def document_detail(request: HttpRequest, document_id) -> HttpResponse:
    document = agency_object_or_404(KnowledgeDocument, request, pk=document_id)
    agents_form = DocumentAgentsForm(
        agency=request.agency, initial={"agents": list(document.agents.all())}
    )
    return render(
        request,
        "knowledge/document_detail.html",
        {
            "document": document,
            "agents_form": agents_form,
            "edit_form": EditDocumentForm(initial={"name": document.name, "text": document.text}),
            "text_preview": document.text[:TEXT_PREVIEW_CHARS],
            "text_cut": len(document.text) > TEXT_PREVIEW_CHARS,
        },
    )


@require_GET
def document_status(request: HttpRequest, document_id) -> HttpResponse:
    """The status badge, polled while the document is processing."""
    document = agency_object_or_404(KnowledgeDocument, request, pk=document_id)
    response = render(request, "knowledge/partials/_status.html", {"document": document})
    if document.status != KnowledgeDocument.Status.PROCESSING and request.htmx:
        stopped = HttpResponseStopPolling(response.content)
        return stopped
    return response


@require_POST
@role_required(Role.MANAGER)
def document_edit(request: HttpRequest, document_id) -> HttpResponse:
    document = agency_object_or_404(KnowledgeDocument, request, pk=document_id)
    form = EditDocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the document a name.")
        return redirect("knowledge:detail", document_id=document.id)
    editable_text = document.source == KnowledgeDocument.Source.TEXT
    services.replace_text(
        document=document,
        name=form.cleaned_data["name"],
        text=form.cleaned_data["text"] if editable_text else None,
    )
    messages.success(request, f"Saved {document.name}.")
    return redirect("knowledge:detail", document_id=document.id)


@require_POST
@role_required(Role.MANAGER)
def document_agents(request: HttpRequest, document_id) -> HttpResponse:
    document = agency_object_or_404(KnowledgeDocument, request, pk=document_id)
    form = DocumentAgentsForm(request.POST, agency=request.agency)
    if form.is_valid():
        problems = services.set_document_agents(
            document=document, agents=list(form.cleaned_data["agents"])
        )
        _flash(request, problems, "Agents updated")
    else:
        messages.error(request, "Choose agents of this agency.")
    return redirect("knowledge:detail", document_id=document.id)


@require_POST
@role_required(Role.MANAGER)
def document_resync(request: HttpRequest, document_id) -> HttpResponse:
    document = agency_object_or_404(KnowledgeDocument, request, pk=document_id)
    if document.is_generated:
        listings_document.regenerate(agency_id=document.agency_id)
    else:
        services.resync(document)
    document.refresh_from_db()
    if document.status == KnowledgeDocument.Status.ERROR:
        messages.error(request, document.error_message)
    else:
        messages.success(request, f"{document.name} synced.")
    return redirect("knowledge:detail", document_id=document.id)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def document_delete(request: HttpRequest, document_id) -> HttpResponse:
    document = agency_object_or_404(KnowledgeDocument, request, pk=document_id)
    if request.method == "POST":
        name = document.name
        _flash(request, services.delete_document(document, by=request.user), f"Deleted {name}")
        return redirect("knowledge:list")
    return render(request, "knowledge/document_confirm_delete.html", {"document": document})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def agent_knowledge(request: HttpRequest, agent_id) -> HttpResponse:
    """What one agent knows: its documents, the listings document and the search tool."""
    agent = agency_object_or_404(Agent, request, pk=agent_id)
    generated = listings_document.listings_document(agent.agency)
    tool = search_tool(agent)
    initial = {
        "documents": list(agent.knowledge_documents.exclude(source="listings")),
        "listings_document": bool(generated and generated.agents.filter(pk=agent.pk).exists()),
        "search_tool": bool(tool and tool.enabled),
    }
    form = AgentKnowledgeForm(
        request.POST if request.method == "POST" else None, agency=agent.agency, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        documents = list(data["documents"])
        if generated and data["listings_document"]:
            documents.append(generated)
        problems = services.set_agent_documents(agent=agent, documents=documents)
        problems += listings_document.set_listings_document(
            agent=agent, enabled=data["listings_document"]
        )
        problems += set_search_tool(agent=agent, enabled=data["search_tool"])
        _flash(request, problems, f"Saved what {agent.name} knows")
        return redirect("knowledge:agent", agent_id=agent.id)
    return render(request, "knowledge/agent_knowledge.html", {"agent": agent, "form": form})
