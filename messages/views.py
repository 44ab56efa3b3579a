"""The Messages page: SMS threads, a thread with its reply box, saved templates."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.current import (
    agency_object_or_404,
    read_only_allowed,
    require_agency,
    role_required,
)
from agencies.models import Role
from contacts.models import Contact
from messages import threads
from messages.forms import NewMessageForm, ReplyForm, SmsTemplateForm
from messages.models import SmsTemplate, Thread
from messages.services import (
    MessageFailed,
    MessageRefused,
    opt_out_reason,
    render_message,
    send_message,
)
from voqo.htmx import wants_partial
from voqo.sms import count_segments

THREADS_PER_PAGE = 50


@require_GET
@vary_on_headers("HX-Request")
def thread_list(request: HttpRequest) -> HttpResponse:
    """Every conversation, newest first, with its unread count; polls for new ones."""
    agency = require_agency(request)
    page = Paginator(threads.thread_list(agency), THREADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    newest = page.object_list[0].last_message_at if page.object_list else None
    context = {"page": page, "poll_seconds": threads.poll_seconds(newest)}
    if wants_partial(request):
        return render(request, "messages/partials/_thread_list.html", context)
    context["contacts"] = Contact.objects.filter(agency=agency).order_by("name")[:200]
    return render(request, "messages/thread_list.html", context)


@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The sidebar's unread count (loaded and refreshed by HTMX)."""
    total = threads.unread_total(require_agency(request))
    return render(request, "messages/partials/_unread_badge.html", {"unread": total})


def _thread_context(request: HttpRequest, thread: Thread, form: ReplyForm | None = None) -> dict:
    items = threads.thread_messages(thread)
    newest = items[-1].created_at if items else None
    return {
        "thread": thread,
        "items": items,
        "poll_seconds": threads.poll_seconds(newest),
        "form": form or ReplyForm(initial={"body": _template_body(request, thread.agency)}),
        "templates": SmsTemplate.objects.filter(agency=thread.agency),
        "refusal": opt_out_reason(agency=thread.agency, phone=thread.phone, contact=thread.contact),
    }


def _template_body(request: HttpRequest, agency) -> str:
    template_id = request.GET.get("template", "")
    if not template_id:
        return ""
    try:
        template = SmsTemplate.objects.filter(agency=agency, pk=template_id).first()
    except ValueError:  # not a UUID
        return ""
    return template.body if template else ""


@require_GET
@vary_on_headers("HX-Request")
def thread_detail(request: HttpRequest, thread_id) -> HttpResponse:
    """One conversation, oldest to newest; opening it (or polling it) marks it read."""
    thread = agency_object_or_404(Thread.objects.select_related("contact"), request, pk=thread_id)
    threads.mark_read(thread)
    context = _thread_context(request, thread)
    if wants_partial(request) and request.GET.get("part") == "messages":
        return render(request, "messages/partials/_thread_messages.html", context)
    return render(request, "messages/thread.html", context)


@require_POST
@role_required(Role.STAFF)
def thread_reply(request: HttpRequest, thread_id) -> HttpResponse:
    thread = agency_object_or_404(Thread.objects.select_related("contact"), request, pk=thread_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            send_message(
                agency=thread.agency,
                phone=thread.phone,
                contact=thread.contact,
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except MessageRefused as refusal:
            form.add_error("body", str(refusal))
        except MessageFailed as failure:
            flash.error(request, str(failure))
            return redirect("messages:thread", thread_id=thread.pk)
        else:
            flash.success(request, "Sent.")
            return redirect("messages:thread", thread_id=thread.pk)
    return render(request, "messages/thread.html", _thread_context(request, thread, form))


@require_POST
@read_only_allowed
def reply_preview(request: HttpRequest, thread_id) -> HttpResponse:
    """The reply as it will be sent, with its segment count (HTMX, as staff type)."""
    thread = agency_object_or_404(Thread.objects.select_related("contact"), request, pk=thread_id)
    body = request.POST.get("body", "")
    try:
        text, problem = (
            render_message(
                agency=thread.agency, phone=thread.phone, contact=thread.contact, body=body
            ),
            "",
        )
    except MessageRefused as refusal:
        text, problem = "", str(refusal) if body.strip() else ""
    return render(
        request,
        "messages/partials/_reply_preview.html",
        {"text": text, "problem": problem, "count": count_segments(text)},
    )


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def new_message(request: HttpRequest) -> HttpResponse:
    """Start a conversation with a number (a contact's or not)."""
    agency = require_agency(request)
    form = NewMessageForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            send_message(
                agency=agency, phone=phone, body=form.cleaned_data["body"], by=request.user
            )
        except MessageRefused as refusal:
            form.add_error(None, str(refusal))
        except MessageFailed as failure:
            flash.error(request, str(failure))
            return redirect(_thread_url(agency, phone))
        else:
            flash.success(request, "Sent.")
            return redirect(_thread_url(agency, phone))
    return render(request, "messages/new.html", {"form": form})


def _thread_url(agency, phone: str) -> str:
    thread = Thread.objects.filter(agency=agency, phone=phone).first()
    if thread is None:
        return reverse("messages:list")
    return reverse("messages:thread", args=[thread.pk])


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def template_list(request: HttpRequest) -> HttpResponse:
    """Saved messages to pick from when replying; add one."""
    agency = require_agency(request)
    form = SmsTemplateForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, f"Saved the template “{form.instance.name}”.")
        return redirect("messages:templates")
    context = {"form": form, "templates": SmsTemplate.objects.filter(agency=agency)}
    return render(request, "messages/templates.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def template_delete(request: HttpRequest, template_id) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    template = agency_object_or_404(SmsTemplate, request, pk=template_id)
    if request.method == "POST":
        template.delete()
        flash.success(request, f"Deleted the template “{template.name}”.")
        return redirect("messages:templates")
    return render(request, "messages/template_delete.html", {"template": template})
