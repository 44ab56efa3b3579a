from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from voices import services
from voices.forms import (
    CallerVoiceForm,
    CloneForm,
    ConsentForm,
    LogFilterForm,
    RenameForm,
    SampleForm,
    TtlForm,
)
from voices.models import CallerVoice, CloneLog, LibraryVoice, VoiceClone, VoiceConsent, VoiceSample
from voqo.models import Setting
from voqo.providers import ProviderError

LOG_PAGE_SIZE = 50


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The agency's own voices: consents, cloned voices, samples, callers and the cache."""
    agency = require_agency(request)
    return render(
        request,
        "voices/library.html",
        {
            "voices": LibraryVoice.objects.filter(agency=agency).select_related("consent"),
            "samples": VoiceSample.objects.filter(agency=agency).select_related("consent"),
            "consents": VoiceConsent.objects.filter(agency=agency),
            "callers": CallerVoice.objects.filter(agency=agency).select_related(
                "contact", "library_voice", "sample"
            ),
            "clones": VoiceClone.objects.filter(agency=agency)
            .exclude(status=VoiceClone.Status.DELETED)
            .select_related("sample")[:50],
            "caller_form": CallerVoiceForm(agency=agency),
            "ttl_form": TtlForm(
                initial={
                    "voice_clone_ttl_hours": Setting.get_value("voice_clone_ttl_hours", agency)
                }
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def consent_add(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    posted = request.method == "POST"
    form = ConsentForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        consent = services.record_consent(
            agency=agency,
            speaker_name=data["speaker_name"],
            statement=data["statement"],
            consent_file=data["consent_file"],
            user=request.user,
        )
        messages.success(request, f"Recorded {consent.speaker_name}'s consent.")
        return redirect("voices:library")
    return render(request, "voices/consent_add.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def clone(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    posted = request.method == "POST"
    form = CloneForm(
        request.POST if posted else None, request.FILES if posted else None, agency=agency
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            voice = services.clone_library_voice(
                agency=agency,
                consent=data["consent"],
                name=data["name"],
                samples=data["samples"],
                user=request.user,
            )
        except ProviderError as error:
            form.add_error(None, f"ElevenLabs did not clone the voice: {error}")
        else:
            messages.success(request, f"Cloned {voice.name}; it is in the agent voice picker.")
            return redirect("voices:detail", library_voice_id=voice.pk)
    no_consent = not VoiceConsent.objects.filter(agency=agency).exists()
    return render(request, "voices/clone.html", {"form": form, "no_consent": no_consent})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def sample_add(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    posted = request.method == "POST"
    form = SampleForm(
        request.POST if posted else None, request.FILES if posted else None, agency=agency
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        sample = services.add_sample(
            agency=agency,
            consent=data["consent"],
            name=data["name"],
            sample=data["audio"],
            user=request.user,
        )
        messages.success(request, f"Added the sample {sample.name}.")
        return redirect("voices:library")
    no_consent = not VoiceConsent.objects.filter(agency=agency).exists()
    return render(request, "voices/sample_add.html", {"form": form, "no_consent": no_consent})


@require_GET
def detail(request: HttpRequest, library_voice_id) -> HttpResponse:
    voice = agency_object_or_404(
        LibraryVoice.objects.select_related("consent", "agency"), request, pk=library_voice_id
    )
    preview, preview_problem = services.preview_url(voice)
    return render(
        request,
        "voices/detail.html",
        {
            "voice": voice,
            "preview_url": preview,
            "preview_problem": preview_problem,
            "rename_form": RenameForm(initial={"name": voice.name}),
            "callers": voice.callers.select_related("contact"),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def rename(request: HttpRequest, library_voice_id) -> HttpResponse:
    voice = agency_object_or_404(LibraryVoice, request, pk=library_voice_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        services.rename_library_voice(
            voice=voice, name=form.cleaned_data["name"], user=request.user
        )
        messages.success(request, f"Renamed to {voice.name}.")
    else:
        messages.error(request, "Give the voice a name.")
    return redirect("voices:detail", library_voice_id=voice.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def delete(request: HttpRequest, library_voice_id) -> HttpResponse:
    voice = agency_object_or_404(LibraryVoice, request, pk=library_voice_id)
    if request.method == "POST":
        try:
            services.delete_library_voice(voice=voice, user=request.user)
        except ProviderError as error:
            messages.error(request, f"ElevenLabs did not delete {voice.name}: {error}")
            return redirect("voices:detail", library_voice_id=voice.pk)
        messages.success(request, f"Deleted {voice.name}; the consent record stays.")
        return redirect("voices:library")
    return render(
        request, "voices/delete.html", {"voice": voice, "caller_count": voice.callers.count()}
    )


@require_POST
@role_required(Role.MANAGER)
def caller_map(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    form = CallerVoiceForm(request.POST, agency=agency)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("voices:library")
    chosen = form.cleaned_data["voice"]
    contact, phone = form.cleaned_data["phone"]
    mapping = services.map_caller(
        agency=agency,
        contact=contact,
        phone=phone,
        library_voice=chosen if isinstance(chosen, LibraryVoice) else None,
        sample=chosen if isinstance(chosen, VoiceSample) else None,
        user=request.user,
    )
    if contact is None:
        messages.success(
            request, f"{phone} (no contact has it yet) now hears {mapping.voice_name}."
        )
    else:
        messages.success(request, f"{contact.name} now hears {mapping.voice_name}.")
    return redirect("voices:library")


@require_POST
@role_required(Role.MANAGER)
def caller_unmap(request: HttpRequest, mapping_id) -> HttpResponse:
    mapping = agency_object_or_404(
        CallerVoice.objects.select_related("contact"), request, pk=mapping_id
    )
    services.unmap_caller(mapping=mapping, user=request.user)
    messages.success(request, f"{mapping.who} hears the agent's voice again.")
    return redirect("voices:library")


@require_POST
@role_required(Role.MANAGER)
def ttl(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    form = TtlForm(request.POST)
    if form.is_valid():
        hours = form.cleaned_data["voice_clone_ttl_hours"]
        Setting.set_value("voice_clone_ttl_hours", hours, agency)
        messages.success(request, f"Cloned caller voices are kept for {hours} hours.")
    else:
        messages.error(request, "Give a number of hours between 1 and 720.")
    return redirect("voices:library")


@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """Every clone and delete at ElevenLabs, newest first, filtered."""
    agency = require_agency(request)
    form = LogFilterForm(request.GET or None)
    entries = CloneLog.objects.filter(agency=agency)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            entries = entries.filter(status=data["status"])
        if data["operation"]:
            entries = entries.filter(operation=data["operation"])
        if data["caller"]:
            entries = entries.filter(caller_phone__contains=data["caller"].strip())
    page = Paginator(entries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "voices/log.html", {"form": form, "page": page})
