from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencies.current import (
    agency_object_or_404,
    require_agency,
    role_required,
    role_required_to_change,
)
from agencies.models import Role
from calls.models import Call
from contacts.csv_import import CsvRejected, read_csv
from contacts.csv_mapping import column_samples
from listings import csv_listings, queue, services
from listings.forms import (
    FeedForm,
    ListingColumnMappingForm,
    ListingFilterForm,
    ListingsCsvForm,
    ReaxmlUploadForm,
)
from listings.importing import apply_records
from listings.models import Listing, ListingFeed, ListingImport
from voqo.htmx import wants_partial
from voqo.models import agency_zone

PAGE_SIZE = 50
PREVIEW_ROWS = 10
_CSV_SESSION_KEY = "listing_csv_tokens"


@require_GET
@vary_on_headers("HX-Request")
def listing_list(request: HttpRequest) -> HttpResponse:
    """The agency's listings: search, filters, status and next inspection."""
    agency = require_agency(request)
    form = ListingFilterForm(request.GET or None)
    listings = form.filter(Listing.objects.filter(agency=agency))
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(
        listings.order_by("suburb_key", "street_address", "unique_id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    zone = agency_zone(agency)
    for listing in page.object_list:
        upcoming = listing.next_inspection()
        listing.next_inspection_local = upcoming[0].astimezone(zone) if upcoming else None
    active = {key: value for key, value in filters.items() if value}
    context = {
        "page": page,
        "form": form,
        "filtered": bool(active),
        "query_string": urlencode(active),
        "has_any": bool(active) or page.paginator.count > 0,
    }
    if wants_partial(request):
        return render(request, "listings/partials/_listing_results.html", context)
    context["stock_count"] = Listing.objects.filter(
        agency=agency, status__in=Listing.IN_STOCK
    ).count()
    return render(request, "listings/listing_list.html", context)


@require_GET
def listing_detail(request: HttpRequest, listing_id) -> HttpResponse:
    """One listing, and the calls whose search_listings tool calls named it."""
    listing = agency_object_or_404(Listing, request, pk=listing_id)
    zone = agency_zone(request.agency)
    conversation_ids = listing.mentions.values_list("conversation_id", flat=True)
    calls = (
        Call.objects.filter(agency=request.agency, elevenlabs_conversation_id__in=conversation_ids)
        .select_related("agent", "contact")
        .order_by("-created_at")[:50]
    )
    inspections = [
        (start.astimezone(zone), end.astimezone(zone))
        for start, end in listing.upcoming_inspections()
    ]
    return render(
        request,
        "listings/listing_detail.html",
        {"listing": listing, "calls": calls, "inspections": inspections},
    )


@require_http_methods(["GET", "POST"])
@role_required_to_change(Role.MANAGER)
def listing_import(request: HttpRequest) -> HttpResponse:
    """Bring listings in: a REAXML file (POST here), a CSV, or the feed URL."""
    agency = require_agency(request)
    posted = request.method == "POST"
    upload_form = ReaxmlUploadForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if request.method == "POST" and upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        report = services.import_reaxml(
            agency=agency,
            content=upload.read(),
            name=upload.name,
            actor=request.user.get_username(),
            by=request.user,
        )
        if report.error:
            messages.error(request, f"{upload.name} was not imported: {report.error}")
        else:
            messages.success(request, f"Imported {upload.name}.")
        return redirect("listings:import_detail", import_id=report.id)
    feed = ListingFeed.objects.filter(agency=agency).first()
    return render(
        request,
        "listings/listing_import.html",
        {
            "upload_form": upload_form,
            "csv_form": ListingsCsvForm(),
            "feed_form": FeedForm(instance=feed),
            "feed": feed,
            "imports": ListingImport.objects.filter(agency=agency)[:20],
        },
    )


@require_GET
def import_detail(request: HttpRequest, import_id) -> HttpResponse:
    """What one import did: created / updated / removed / rejected, with the reasons."""
    report = agency_object_or_404(ListingImport, request, pk=import_id)
    return render(request, "listings/import_detail.html", {"report": report})


@require_POST
@role_required(Role.MANAGER)
def feed_save(request: HttpRequest) -> HttpResponse:
    agency = require_agency(request)
    feed = ListingFeed.objects.filter(agency=agency).first()
    form = FeedForm(request.POST, instance=feed)
    if form.is_valid():
        saved = services.save_feed(
            agency=agency,
            url=form.cleaned_data["url"],
            enabled=form.cleaned_data["enabled"],
            poll_every_minutes=form.cleaned_data["poll_every_minutes"],
            by=request.user,
        )
        messages.success(request, f"Feed saved. It is checked {_poll_words(saved)}.")
        return redirect("listings:import")
    return render(
        request,
        "listings/listing_import.html",
        {
            "upload_form": ReaxmlUploadForm(),
            "csv_form": ListingsCsvForm(),
            "feed_form": form,
            "feed": feed,
            "imports": ListingImport.objects.filter(agency=agency)[:20],
        },
        status=400,
    )


def _poll_words(feed: ListingFeed) -> str:
    if not feed.enabled:
        return "only when you press Check now"
    return dict(
        (value, label.lower())
        for value, label in FeedForm.base_fields["poll_every_minutes"].choices
    ).get(feed.poll_every_minutes, f"every {feed.poll_every_minutes} minutes")


@require_POST
@role_required(Role.MANAGER)
def feed_check(request: HttpRequest) -> HttpResponse:
    feed = ListingFeed.objects.filter(agency=require_agency(request)).first()
    if feed is None:
        messages.error(request, "Save a feed URL first.")
        return redirect("listings:import")
    queue.queue_feed_poll(feed.pk)
    feed.refresh_from_db()
    if feed.last_error:
        messages.error(request, feed.last_error)
    else:
        messages.success(request, f"Feed checked: {feed.last_result or 'queued'}.")
    return redirect("listings:import")


# -- CSV: upload, map the columns, preview, import -------------------------------------------


def _csv_key(request: HttpRequest) -> str:
    return f"{_CSV_SESSION_KEY}:{request.agency.pk}"


def _pending(request: HttpRequest) -> dict[str, str]:
    pending = request.session.get(_csv_key(request), {})
    return pending if isinstance(pending, dict) else {}


def _forget(request: HttpRequest, token: str) -> None:
    csv_listings.PENDING_IMPORTS.discard(token)
    request.session[_csv_key(request)] = {t: n for t, n in _pending(request).items() if t != token}


@require_POST
@role_required(Role.MANAGER)
def csv_upload(request: HttpRequest) -> HttpResponse:
    """Step 1 of a CSV import: keep the file (nothing is saved yet), then map its columns."""
    require_agency(request)
    form = ListingsCsvForm(request.POST, request.FILES)
    if form.is_valid():
        token = csv_listings.PENDING_IMPORTS.store(form.cleaned_data["file"].chunks())
        try:
            with open(csv_listings.PENDING_IMPORTS.path(token), "rb") as fileobj:
                read_csv(fileobj)
        except CsvRejected as rejection:
            csv_listings.PENDING_IMPORTS.discard(token)
            messages.error(request, rejection.message)
        else:
            pending = dict(list(_pending(request).items())[-4:])
            pending[token] = form.cleaned_data["file"].name[:255]
            request.session[_csv_key(request)] = pending
            return redirect("listings:csv_map", token=token)
    else:
        messages.error(request, "Choose a CSV file to import.")
    return redirect("listings:import")


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def csv_map(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: choose what each column holds, see the preview, then import."""
    agency = require_agency(request)
    pending = _pending(request)
    path = csv_listings.PENDING_IMPORTS.path(token)
    if path is None or token not in pending:
        messages.error(request, "That upload has expired. Please upload the file again.")
        return redirect("listings:import")
    if "cancel" in request.POST:
        _forget(request, token)
        messages.info(request, "Import cancelled; nothing was saved.")
        return redirect("listings:import")
    try:
        with open(path, "rb") as fileobj:
            table = read_csv(fileobj)
            samples = column_samples(table.rows(), len(table.headers))
    except CsvRejected as rejection:
        _forget(request, token)
        messages.error(request, rejection.message)
        return redirect("listings:import")
    zone = agency_zone(agency)
    headers = table.original_headers
    roles, remembered = csv_listings.initial_roles(headers, agency=agency)
    form = ListingColumnMappingForm(
        request.POST or None, headers=headers, samples=samples, roles=roles, zone=zone
    )
    context = {"token": token, "filename": pending[token], "remembered": remembered}
    parsed = None
    if request.method == "GET" or form.is_valid():
        mapping = form.mapping()
        context["mapping_errors"] = mapping.errors if request.method == "GET" else []
        if not mapping.errors:
            with open(path, "rb") as fileobj:
                parsed = csv_listings.read_listing_rows(fileobj, mapping=mapping)
            confirmed = "confirm" in request.POST and (
                form.cleaned_data["previewed"] == mapping.signature
            )
            if confirmed:
                report = apply_records(
                    agency=agency,
                    parsed=parsed,
                    source=ListingImport.Source.CSV,
                    name=pending[token],
                    actor=request.user.get_username(),
                    listing_source=Listing.Source.CSV,
                    by=request.user,
                )
                csv_listings.remember_roles(headers=headers, roles=mapping.roles, agency=agency)
                _forget(request, token)
                messages.success(request, f"Imported {pending[token]}.")
                return redirect("listings:import_detail", import_id=report.id)
            if "confirm" in request.POST:
                messages.warning(request, "The columns changed: check the preview, then import.")
            form = ListingColumnMappingForm(
                initial={"previewed": mapping.signature},
                headers=headers,
                samples=samples,
                roles=mapping.roles,
                zone=zone,
            )
    if parsed is not None:
        usable = [record for record in parsed.records if not record.rejection]
        context.update(
            preview=usable[:PREVIEW_ROWS],
            usable_count=len(usable),
            rejected=[record for record in parsed.records if record.rejection][:50],
            rejected_count=len(parsed.records) - len(usable),
            total_rows=len(parsed.records),
        )
    context["form"] = form
    context["parsed"] = parsed
    return render(request, "listings/csv_map.html", context)
