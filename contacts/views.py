import itertools
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from calls.models import Call
from calls.outbound import (
    CallingWindowClosed,
    OutboundCallFailed,
    OutboundCallRefused,
    WindowOverride,
    check_calling_window,
    describe_opening,
)
from contacts.csv_import import CsvRejected
from contacts.csv_mapping import KIND_CONTACTS, column_samples, initial_roles
from contacts.forms import (
    CallContactForm,
    CallNumberForm,
    ColumnMappingForm,
    ContactForm,
    ContactImportForm,
    MemoryForm,
)
from contacts.imports import (
    PENDING_IMPORTS,
    import_contacts_csv,
    import_summary,
    open_contacts_csv,
)
from contacts.models import Contact, Memory
from contacts.opt_out import opt_in_contact, opt_out_contact
from contacts.services import (
    call_now,
    export_contacts_csv,
    filter_by_tag,
    known_tags,
    search_contacts,
)
from voqo.events import record_audit
from voqo.htmx import wants_partial
from voqo.models import agency_zone
from voqo.permissions import is_agency_owner
from voqo.phones import outbound_call_problem

PAGE_SIZE = 50
CALL_HISTORY_LIMIT = 50
MEMORY_PAGE_SIZE = 50
_IMPORT_SESSION_KEY = "contact_import_tokens"


def _call_url(call: Call) -> str:
    """The call page; the calls list until the calls app provides its detail page."""
    try:
        return reverse("calls:detail", args=[call.id])
    except NoReverseMatch:
        return reverse("calls:list")


# --- List, add, detail, edit, delete -------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def contact_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "").strip()
    owner = request.GET.get("owner", "").strip()
    contacts = Contact.objects.filter(agency=require_agency(request))
    if query:
        contacts = search_contacts(contacts, query)
    if tag:
        contacts = filter_by_tag(contacts, tag)
    if owner:
        contacts = contacts.filter(owner__username=owner)
    page = Paginator(contacts.order_by("name", "phone"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "query": query,
        "tag": tag,
        "owner": owner,
        "query_string": urlencode(
            {k: v for k, v in (("q", query), ("tag", tag), ("owner", owner)) if v}
        ),
        "filtered": bool(query or tag or owner),
    }
    if wants_partial(request):
        return render(request, "contacts/partials/_contact_results.html", context)
    context["known_tags"] = known_tags(agency=request.agency)
    context["owners"] = request.agency.memberships.order_by("user__username").values_list(
        "user__username", flat=True
    )
    return render(request, "contacts/contact_list.html", context)


@role_required(Role.STAFF)
def contact_add(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        try:
            contact = form.save()
        except IntegrityError:
            form.add_error("phone", "Another contact was just saved with this number.")
        else:
            messages.success(request, f"Added {contact.name}.")
            return redirect("contacts:detail", contact_id=contact.id)
    return render(request, "contacts/contact_form.html", {"form": form})


@require_GET
def contact_detail(request: HttpRequest, contact_id) -> HttpResponse:
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    calls = list(Call.objects.filter(contact=contact).order_by("-created_at")[:CALL_HISTORY_LIMIT])
    for call in calls:
        call.page_url = _call_url(call)
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "contact": contact,
            "calls": calls,
            "memories": _memory_page(contact, request.GET.get("memories_page")),
            "memory_form": MemoryForm(),
            "call_form": CallContactForm(agency=request.agency),
            "call_problem": outbound_call_problem(contact.phone),
            **_window_context(
                request,
                check_calling_window(
                    to_phone=contact.phone, contact=contact, agency=request.agency
                ),
            ),
        },
    )


def _window_context(request: HttpRequest, check) -> dict:
    return {
        "window_check": check,
        "window_opens": describe_opening(check, agency=request.agency),
        "can_override_window": is_agency_owner(request.user, request.agency),
    }


@role_required(Role.STAFF)
def contact_edit(request: HttpRequest, contact_id) -> HttpResponse:
    """Edit in place: the HTMX card swaps to this form and back; a full page without JS."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    form = ContactForm(request.POST or None, instance=contact, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        try:
            contact = form.save()
        except IntegrityError:
            form.add_error("phone", "Another contact was just saved with this number.")
        else:
            if request.htmx:
                return render(request, "contacts/partials/_contact_card.html", {"contact": contact})
            messages.success(request, "Contact saved.")
            return redirect("contacts:detail", contact_id=contact.id)
    template = (
        "contacts/partials/_contact_edit.html" if request.htmx else "contacts/contact_form.html"
    )
    return render(request, template, {"form": form, "contact": contact})


@require_GET
def contact_card(request: HttpRequest, contact_id) -> HttpResponse:
    """The read-only card (the edit form's Cancel swaps back to it)."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    if not request.htmx:
        return redirect("contacts:detail", contact_id=contact.id)
    return render(request, "contacts/partials/_contact_card.html", {"contact": contact})


@role_required(Role.STAFF)
def contact_delete(request: HttpRequest, contact_id) -> HttpResponse:
    """Confirm, then delete the contact and its memories; its calls stay (unlinked)."""
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    if request.method == "POST":
        name = contact.name or contact.phone
        contact.delete()
        messages.success(request, f"Deleted {name}. Their call history is kept.")
        return redirect("contacts:list")
    return render(
        request,
        "contacts/contact_confirm_delete.html",
        {
            "contact": contact,
            "memory_count": contact.memories.count(),
            "call_count": Call.objects.filter(contact=contact).count(),
        },
    )


# --- Opt-out -------------------------------------------------------------------------


@require_POST
@role_required(Role.STAFF)
def contact_opt_out(request: HttpRequest, contact_id) -> HttpResponse:
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    opt_out_contact(
        contact_id=contact.pk,
        by=request.user.get_username(),
        agency=request.agency,
        actor=request.user,
    )
    messages.success(
        request, f"{contact.name or contact.phone} is opted out: no campaign calls or SMS."
    )
    return redirect("contacts:detail", contact_id=contact.id)


@require_POST
@role_required(Role.STAFF)
def contact_opt_in(request: HttpRequest, contact_id) -> HttpResponse:
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    opt_in_contact(contact_id=contact.pk, agency=request.agency, actor=request.user)
    messages.success(request, f"{contact.name or contact.phone} may be called and texted again.")
    return redirect("contacts:detail", contact_id=contact.id)


# --- Memories (HTMX partials) ---------------------------------------------------------


def _memory_page(contact: Contact, number: str | None):
    """One page of the contact's memories, newest first: a caller with thousands of them
    must not make the contact page megabytes long."""
    memories = contact.memories.order_by("-created_at", "-id")
    return Paginator(memories, MEMORY_PAGE_SIZE).get_page(number)


def _memories_section(request: HttpRequest, contact: Contact, form: MemoryForm | None = None):
    return render(
        request,
        "contacts/partials/_memories.html",
        {
            "contact": contact,
            "memories": _memory_page(contact, request.GET.get("memories_page")),
            "memory_form": form or MemoryForm(),
        },
    )


@require_POST
@role_required(Role.STAFF)
def memory_add(request: HttpRequest, contact_id) -> HttpResponse:
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    form = MemoryForm(request.POST)
    if form.is_valid():
        Memory.objects.create(
            agency=contact.agency,
            contact=contact,
            content=form.cleaned_data["content"],
            source=Memory.Source.MANUAL,
        )
        form = None
        if not request.htmx:
            messages.success(request, "Memory added.")
    elif not request.htmx:
        messages.error(
            request, "The memory was not saved: " + " ".join(form.errors.get("content", []))
        )
    if request.htmx:
        return _memories_section(request, contact, form)
    return redirect("contacts:detail", contact_id=contact.id)


@role_required(Role.STAFF)
def memory_edit(request: HttpRequest, contact_id, memory_id) -> HttpResponse:
    memory = agency_object_or_404(Memory, request, pk=memory_id, contact_id=contact_id)
    form = MemoryForm(request.POST or None, instance=memory)
    if request.method == "POST" and form.is_valid():
        memory = form.save()
        # The fact, not the words: the trail outlives a person being forgotten.
        record_audit(
            memory.agency_id,
            request.user,
            "memory.changed",
            f"Edited a memory of contact {contact_id}",
            target=f"memory:{memory.pk}",
        )
        if request.htmx:
            return render(
                request,
                "contacts/partials/_memory.html",
                {"memory": memory, "contact": memory.contact},
            )
        messages.success(request, "Memory saved.")
        return redirect("contacts:detail", contact_id=contact_id)
    template = (
        "contacts/partials/_memory_form.html" if request.htmx else "contacts/memory_form.html"
    )
    return render(request, template, {"form": form, "memory": memory, "contact": memory.contact})


@require_GET
def memory_item(request: HttpRequest, contact_id, memory_id) -> HttpResponse:
    """One memory, read-only (the edit form's Cancel swaps back to it)."""
    memory = agency_object_or_404(Memory, request, pk=memory_id, contact_id=contact_id)
    if not request.htmx:
        return redirect("contacts:detail", contact_id=contact_id)
    return render(
        request, "contacts/partials/_memory.html", {"memory": memory, "contact": memory.contact}
    )


@role_required(Role.STAFF)
def memory_delete(request: HttpRequest, contact_id, memory_id) -> HttpResponse:
    memory = agency_object_or_404(
        Memory.objects.select_related("contact"), request, pk=memory_id, contact_id=contact_id
    )
    contact = memory.contact
    if request.method != "POST":
        return render(
            request, "contacts/memory_confirm_delete.html", {"memory": memory, "contact": contact}
        )
    memory.delete()
    record_audit(
        contact.agency_id,
        request.user,
        "memory.deleted",
        f"Deleted a memory of contact {contact.pk}",
        target=f"memory:{memory_id}",
    )
    if request.htmx:
        return _memories_section(request, contact)
    messages.success(request, "Memory deleted.")
    return redirect("contacts:detail", contact_id=contact.id)


# --- Calling --------------------------------------------------------------------------


def _window_override(request: HttpRequest, form) -> WindowOverride | None:
    """The owner's "Call anyway" (outside calling hours), when that button was pressed."""
    if "call_anyway" not in request.POST:
        return None
    return WindowOverride(user=request.user, reason=form.cleaned_data.get("override_reason", ""))


def _placed(request: HttpRequest, call: Call) -> HttpResponse:
    messages.success(request, f"Calling {call.to_phone} with {call.agent_name}…")
    return redirect(_call_url(call))


def _failed(request: HttpRequest, failure: OutboundCallFailed, back_url: str) -> HttpResponse:
    if failure.error.outcome_unknown:
        messages.warning(
            request,
            "The provider did not confirm the call, so it may still ring. "
            f"Check this call before trying again. ({failure.error.message})",
        )
        return redirect(_call_url(failure.call))
    messages.error(request, f"The call could not be placed: {failure.error.message}")
    return redirect(back_url)


@require_POST
@role_required(Role.STAFF)
def contact_call(request: HttpRequest, contact_id) -> HttpResponse:
    contact = agency_object_or_404(Contact, request, pk=contact_id)
    back_url = reverse("contacts:detail", args=[contact.id])
    form = CallContactForm(request.POST, agency=request.agency)
    if not form.is_valid():
        messages.error(request, "Choose an enabled, synced agent to place the call.")
        return redirect(back_url)
    try:
        call = call_now(
            agency=request.agency,
            agent=form.cleaned_data["agent"],
            phone=contact.phone,
            contact=contact,
            window_override=_window_override(request, form),
            caller_number=form.cleaned_data["caller_number"],
            purpose=form.cleaned_data["purpose"],
        )
    except OutboundCallRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(back_url)
    except OutboundCallFailed as failure:
        return _failed(request, failure, back_url)
    return _placed(request, call)


@role_required(Role.STAFF)
def call_number(request: HttpRequest) -> HttpResponse:
    """Call a typed number (linked to the agency's contact with that number, if any)."""
    form = CallNumberForm(
        request.POST or None,
        initial={"phone": request.GET.get("phone", "")},
        agency=request.agency,
    )
    context = {"form": form, "can_override_window": is_agency_owner(request.user, request.agency)}
    if request.method == "POST" and form.is_valid():
        try:
            call = call_now(
                agency=request.agency,
                agent=form.cleaned_data["agent"],
                phone=form.cleaned_data["phone"],
                window_override=_window_override(request, form),
                caller_number=form.cleaned_data["caller_number"],
                purpose=form.cleaned_data["purpose"],
            )
        except CallingWindowClosed as closed:
            # Stay on the form: an owner may give a reason and call anyway.
            form.add_error(None, str(closed))
            context["window_closed"] = True
        except OutboundCallRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("contacts:call_number")
        except OutboundCallFailed as failure:
            return _failed(request, failure, reverse("contacts:call_number"))
        else:
            return _placed(request, call)
    return render(request, "contacts/call_number.html", context)


# --- CSV import and export ------------------------------------------------------------


def _pending_key(request: HttpRequest) -> str:
    # Per agency: a file uploaded in one agency is never imported into another after a switch.
    return f"{_IMPORT_SESSION_KEY}:{request.agency.pk}"


def _pending_imports(request: HttpRequest) -> dict[str, str]:
    """This session's uploaded files waiting for mapping/confirmation in the current agency:
    token → filename."""
    pending = request.session.get(_pending_key(request), {})
    return pending if isinstance(pending, dict) else {}


@role_required(Role.STAFF)
def contact_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a file (nothing is saved yet), then map its columns."""
    form = ContactImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = PENDING_IMPORTS.store(form.cleaned_data["file"].chunks())
        try:
            with open(PENDING_IMPORTS.path(token), "rb") as fileobj:
                open_contacts_csv(fileobj)
        except CsvRejected as rejection:
            PENDING_IMPORTS.discard(token)
            form.add_error("file", rejection.message)
        else:
            pending = dict(list(_pending_imports(request).items())[-4:])
            pending[token] = form.cleaned_data["file"].name[:255]
            request.session[_pending_key(request)] = pending
            return redirect("contacts:import_map", token=token)
    return render(request, "contacts/contact_import.html", {"form": form})


def _forget_pending_import(request: HttpRequest, token: str) -> None:
    PENDING_IMPORTS.discard(token)
    pending = _pending_imports(request)
    request.session[_pending_key(request)] = {t: n for t, n in pending.items() if t != token}


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def contact_import_map(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: choose what each column holds, see the preview, then import."""
    pending = _pending_imports(request)
    path = PENDING_IMPORTS.path(token)
    if path is None or token not in pending:
        messages.error(request, "That upload has expired. Please upload the file again.")
        return redirect("contacts:import")
    if "cancel" in request.POST:
        _forget_pending_import(request, token)
        messages.info(request, "Import cancelled; nothing was saved.")
        return redirect("contacts:list")
    try:
        with open(path, "rb") as fileobj:
            table = open_contacts_csv(fileobj)
            samples = column_samples(table.rows(), len(table.headers))
    except CsvRejected as rejection:
        PENDING_IMPORTS.discard(token)
        messages.error(request, rejection.message)
        return redirect("contacts:import")
    roles, remembered = initial_roles(
        table.original_headers, kind=KIND_CONTACTS, agency=request.agency
    )
    form = ColumnMappingForm(
        request.POST or None,
        headers=table.original_headers,
        samples=samples,
        kind=KIND_CONTACTS,
        roles=roles,
    )
    report = None
    context = {"token": token, "filename": pending[token], "remembered": remembered}
    if request.method == "GET" or form.is_valid():
        mapping = form.mapping()
        context["mapping_errors"] = mapping.errors if request.method == "GET" else []
        if not mapping.errors:
            try:
                with open(path, "rb") as fileobj:
                    commit = "confirm" in request.POST and (
                        form.cleaned_data["previewed"] == mapping.signature
                    )
                    report = import_contacts_csv(
                        fileobj, commit=commit, roles=mapping.roles, agency=request.agency
                    )
            except CsvRejected as rejection:
                PENDING_IMPORTS.discard(token)
                messages.error(request, rejection.message)
                return redirect("contacts:import")
            if report.committed:
                _forget_pending_import(request, token)
                messages.success(request, import_summary(report))
                return redirect("contacts:list")
            if "confirm" in request.POST:
                messages.warning(request, "The columns changed: check the preview, then import.")
            form = ColumnMappingForm(
                initial={"previewed": mapping.signature},
                headers=table.original_headers,
                samples=samples,
                kind=KIND_CONTACTS,
                roles=mapping.roles,
            )
    context.update(form=form, report=report)
    return render(request, "contacts/contact_import_map.html", context)


@require_GET
def contact_export(request: HttpRequest) -> StreamingHttpResponse:
    agency = require_agency(request)
    stamp = timezone.localdate(timezone=agency_zone(agency)).isoformat()
    # The BOM makes Excel read the file as UTF-8; our importer strips it again.
    lines = itertools.chain(["\ufeff"], export_contacts_csv(agency=agency))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contacts-{stamp}.csv"'
    record_audit(agency, request.user, "export", "Exported all contacts as CSV")
    return response
