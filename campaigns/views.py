from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from agencies.current import agency_object_or_404, require_agency, role_required
from agencies.models import Role
from campaigns import calling_hours, engine, services
from campaigns.csv_upload import UploadRefused
from campaigns.forms import CampaignForm, ConfirmUploadForm, JobForm, UploadForm
from campaigns.models import Campaign, Job, JobCall, Upload
from campaigns.reports import job_report_lines
from compliance.rules import wash_coverage
from compliance.washing import numbers_to_wash_file
from contacts.csv_mapping import KIND_CAMPAIGN
from contacts.forms import ColumnMappingForm
from outcomes.selectors import outcome_labels
from voqo import calling_window as window
from voqo.events import record_audit
from voqo.models import agency_zone

RESULTS_PER_PAGE = 50
# Files waiting for confirmation, by token, each with the campaign it was chosen for: a token
# is only good in the session and the campaign (so the agency) that stored the file.
PENDING_UPLOADS_KEY = "campaign_pending_uploads"
PENDING_UPLOADS_KEPT = 20
EXPIRED_UPLOAD = "That upload has expired. Choose the file again."


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.filter(agency=require_agency(request))
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaign_list.html", {"page": page, "campaigns": page})


@role_required(Role.MANAGER)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=Campaign(agency=request.agency))
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, f"Campaign “{campaign.name}” created. Upload its contacts next.")
        return redirect("campaigns:detail", campaign_id=campaign.id)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@role_required(Role.MANAGER)
def campaign_edit(request: HttpRequest, campaign_id) -> HttpResponse:
    campaign = agency_object_or_404(Campaign, request, pk=campaign_id)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Campaign saved.")
        return redirect("campaigns:detail", campaign_id=campaign.id)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def campaign_detail(request: HttpRequest, campaign_id) -> HttpResponse:
    campaign = agency_object_or_404(Campaign, request, pk=campaign_id)
    context = {
        "campaign": campaign,
        "uploads": campaign.uploads.all()[:50],
        "jobs": campaign.jobs.select_related("agent", "upload")[:50],
        "upload_form": UploadForm(),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _mapping_page(
    request: HttpRequest, campaign: Campaign, *, token: str, filename: str, data=None
) -> HttpResponse:
    """The column mapping of a stored upload with the preview for it (or its errors).

    With `data` (a posted mapping) that is valid and was previewed as it stands, imports.
    """
    headers, samples, roles, remembered = services.describe_pending_upload(
        token, agency=campaign.agency
    )
    form = ColumnMappingForm(
        data,
        headers=headers,
        samples=samples,
        kind=KIND_CAMPAIGN,
        roles=roles,
        callable_only=True,
    )
    context = {
        "campaign": campaign,
        "filename": filename,
        "confirm_form": ConfirmUploadForm(initial={"token": token, "filename": filename}),
        "remembered": remembered,
        "summary": None,
    }
    if data is None or form.is_valid():
        mapping = form.mapping()
        context["mapping_errors"] = mapping.errors if data is None else []
        if not mapping.errors:
            if data is not None and "import" in data and data["previewed"] == mapping.signature:
                return _import(
                    request, campaign, token=token, filename=filename, roles=mapping.roles
                )
            if data is not None and "import" in data:
                messages.warning(request, "The columns changed: check the preview, then import.")
            context["summary"] = services.preview_upload(
                token, mapping.roles, agency=campaign.agency
            )
            form = ColumnMappingForm(
                initial={"previewed": mapping.signature},
                headers=headers,
                samples=samples,
                kind=KIND_CAMPAIGN,
                roles=mapping.roles,
                callable_only=True,
            )
    context["form"] = form
    return render(request, "campaigns/upload_preview.html", context)


def _remember_pending_upload(request: HttpRequest, campaign: Campaign, token: str) -> None:
    pending = request.session.get(PENDING_UPLOADS_KEY, {})
    pending[token] = str(campaign.id)
    request.session[PENDING_UPLOADS_KEY] = dict(list(pending.items())[-PENDING_UPLOADS_KEPT:])


def _pending_upload_is_ours(request: HttpRequest, campaign: Campaign, token: str) -> bool:
    return request.session.get(PENDING_UPLOADS_KEY, {}).get(token) == str(campaign.id)


def _forget_pending_upload(request: HttpRequest, token: str) -> None:
    pending = request.session.get(PENDING_UPLOADS_KEY, {})
    if pending.pop(token, None) is not None:
        request.session[PENDING_UPLOADS_KEY] = pending


def _import(request: HttpRequest, campaign: Campaign, *, token: str, filename: str, roles):
    upload = services.import_upload(campaign=campaign, token=token, filename=filename, roles=roles)
    _forget_pending_upload(request, token)
    valid = upload.total_rows - upload.invalid_rows - upload.duplicate_rows
    messages.success(request, f"Imported {valid:,} contacts from {upload.filename}.")
    return redirect("campaigns:upload_detail", campaign_id=campaign.id, upload_id=upload.id)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def upload_new(request: HttpRequest, campaign_id) -> HttpResponse:
    """Choose a file (GET), or store it and show its column mapping and preview (POST)."""
    campaign = agency_object_or_404(Campaign, request, pk=campaign_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        token = ""
        try:
            token = services.store_pending_upload(file)
            page = _mapping_page(request, campaign, token=token, filename=file.name)
        except UploadRefused as refusal:
            services.discard_pending_upload(token)  # a refused file is not kept
            form.add_error("file", refusal.message)
        else:
            _remember_pending_upload(request, campaign, token)
            return page
    return render(request, "campaigns/upload_form.html", {"campaign": campaign, "form": form})


@require_POST
@role_required(Role.MANAGER)
def upload_confirm(request: HttpRequest, campaign_id) -> HttpResponse:
    """Update the preview for a changed mapping, discard the file, or import it."""
    campaign = agency_object_or_404(Campaign, request, pk=campaign_id)
    form = ConfirmUploadForm(request.POST)
    if not form.is_valid() or not _pending_upload_is_ours(
        request, campaign, form.cleaned_data["token"]
    ):
        messages.error(request, EXPIRED_UPLOAD)
        return redirect("campaigns:upload", campaign_id=campaign.id)
    token, filename = form.cleaned_data["token"], form.cleaned_data["filename"]
    if "discard" in request.POST:
        services.discard_pending_upload(token)
        _forget_pending_upload(request, token)
        messages.info(request, "Upload discarded.")
        return redirect("campaigns:detail", campaign_id=campaign.id)
    try:
        return _mapping_page(request, campaign, token=token, filename=filename, data=request.POST)
    except UploadRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("campaigns:upload", campaign_id=campaign.id)


def upload_detail(request: HttpRequest, campaign_id, upload_id) -> HttpResponse:
    upload = agency_object_or_404(
        Upload.objects.select_related("campaign"), request, pk=upload_id, campaign_id=campaign_id
    )
    page = Paginator(upload.batch_contacts.all(), RESULTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    problem_count = upload.invalid_rows + upload.duplicate_rows
    context = {
        "upload": upload,
        "campaign": upload.campaign,
        "page": page,
        "valid_rows": upload.total_rows - problem_count,
        "problem_count": problem_count,
    }
    return render(request, "campaigns/upload_detail.html", context)


@role_required(Role.MANAGER)
def job_create(request: HttpRequest, campaign_id) -> HttpResponse:
    campaign = agency_object_or_404(Campaign, request, pk=campaign_id)
    initial = {"upload": request.GET.get("upload")} if request.GET.get("upload") else None
    form = JobForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_job(campaign=campaign, **form.cleaned_data)
        except services.JobRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, f"Job created with {job.total_calls:,} calls. Run it when ready."
            )
            return redirect("campaigns:job", job_id=job.id)
    return render(request, "campaigns/job_form.html", {"campaign": campaign, "form": form})


def _job_context(job: Job) -> dict:
    return {"job": job, "resumes_at": engine.resumes_at(job), "now": timezone.now()}


def job_detail(request: HttpRequest, job_id) -> HttpResponse:
    job = agency_object_or_404(
        Job.objects.select_related("campaign", "agent", "upload", "agency"), request, pk=job_id
    )
    rows = job.job_calls.order_by("batch_contact__line_number", "id")
    status = request.GET.get("status", "")
    if status in JobCall.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.values("pk"), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    # The page's ids are chosen first, then only those rows are read with their contact and
    # call (one query): sorting the job's rows joined to their calls read every call of it.
    page.object_list = list(
        JobCall.objects.filter(pk__in=page.object_list)
        .select_related("batch_contact", "call")
        .order_by("batch_contact__line_number", "id")
    )
    context = {
        **_job_context(job),
        "page": page,
        "agency_zone": agency_zone(request.agency),
        "status_filter": status,
        "statuses": JobCall.Status.choices,
        "query_string": f"status={status}" if status else "",
        "outcome_labels": outcome_labels(job.agency),
    }
    if request.htmx and request.htmx.target == "job-results":
        if not request.htmx.history_restore_request:
            response = render(request, "campaigns/partials/_job_results.html", context)
            return _vary_on_htmx(response)
    context["window_summary"] = calling_hours.window_summary(job)
    context["hours"] = window.hours_for(job.purpose).summary
    context["refusals"] = (
        job.job_calls.filter(status=JobCall.Status.REFUSED)
        .order_by()
        .values_list("error_message")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    if job.purpose == window.TELEMARKETING:
        context["wash"] = wash_coverage(
            agency=job.agency, phones=services.job_numbers(job), now=timezone.now()
        )
    context["default_state"] = window.agency_default_state(request.agency)
    context["review_rows"] = job.job_calls.filter(
        status=JobCall.Status.NEEDS_REVIEW
    ).select_related("batch_contact", "call")[:50]
    return _vary_on_htmx(render(request, "campaigns/job_detail.html", context))


def _vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


def job_progress(request: HttpRequest, job_id) -> HttpResponse:
    """The live progress partial, polled every 2 s until the job is finished."""
    job = agency_object_or_404(
        Job.objects.select_related("campaign", "agent", "agency"), request, pk=job_id
    )
    if not request.htmx:
        return redirect("campaigns:job", job_id=job.id)
    response = render(request, "campaigns/partials/_job_progress.html", _job_context(job))
    if job.is_finished:
        stop = HttpResponseStopPolling(response.content)
        return stop
    return response


def _job_action(request: HttpRequest, job_id, action, done: str) -> HttpResponse:
    job = agency_object_or_404(Job, request, pk=job_id)
    try:
        action(job)
    except services.JobActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect("campaigns:job", job_id=job.id)


@require_POST
@role_required(Role.STAFF)
def job_run(request: HttpRequest, job_id) -> HttpResponse:
    return _job_action(request, job_id, services.run_job, "Job started.")


@require_POST
@role_required(Role.STAFF)
def job_pause(request: HttpRequest, job_id) -> HttpResponse:
    return _job_action(
        request, job_id, services.pause_job, "Job paused. Calls already ringing will finish."
    )


@require_POST
@role_required(Role.STAFF)
def job_resume(request: HttpRequest, job_id) -> HttpResponse:
    return _job_action(request, job_id, services.resume_job, "Job resumed.")


@role_required(Role.STAFF)
def job_cancel(request: HttpRequest, job_id) -> HttpResponse:
    """GET asks for confirmation; POST cancels."""
    job = agency_object_or_404(Job.objects.select_related("campaign"), request, pk=job_id)
    if request.method != "POST":
        return render(request, "campaigns/job_confirm_cancel.html", {"job": job})
    return _job_action(request, job_id, services.cancel_job, "Job cancelled.")


def _review_action(request: HttpRequest, job_id, job_call_id, action, done: str) -> HttpResponse:
    job_call = agency_object_or_404(
        JobCall.objects.select_related("job"), request, pk=job_call_id, job_id=job_id
    )
    try:
        action(job_call)
    except services.JobActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect("campaigns:job", job_id=job_id)


@require_POST
@role_required(Role.STAFF)
def job_call_retry(request: HttpRequest, job_id, job_call_id) -> HttpResponse:
    return _review_action(
        request, job_id, job_call_id, services.retry_review_row, "The call will be dialled again."
    )


@require_POST
@role_required(Role.STAFF)
def job_call_fail(request: HttpRequest, job_id, job_call_id) -> HttpResponse:
    return _review_action(
        request, job_id, job_call_id, services.fail_review_row, "The call is marked failed."
    )


@require_GET
@role_required(Role.STAFF)
def job_wash_export(request: HttpRequest, job_id) -> HttpResponse:
    """The job's numbers in the Do Not Call Register's upload format, to wash them there."""
    job = agency_object_or_404(Job, request, pk=job_id)
    content = numbers_to_wash_file(services.job_numbers(job).iterator(chunk_size=2000))
    response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    stamp = timezone.localtime(timezone=agency_zone(request.agency)).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="numbers-to-wash-{stamp}.txt"'
    return response


@require_POST
@role_required(Role.STAFF)
def job_recheck_refused(request: HttpRequest, job_id) -> HttpResponse:
    job = agency_object_or_404(Job, request, pk=job_id)
    moved = services.recheck_refused_calls(job)
    if moved:
        messages.success(request, f"{moved:,} refused calls will be checked again before dialling.")
    else:
        messages.info(request, "There are no refused calls to check again.")
    return redirect("campaigns:job", job_id=job.id)


def job_report(request: HttpRequest, job_id) -> StreamingHttpResponse:
    """Every row of the job as CSV, streamed (safe to open in a spreadsheet)."""
    job = agency_object_or_404(Job, request, pk=job_id)
    response = StreamingHttpResponse(job_report_lines(job), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone=agency_zone(request.agency)).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="job-{job.id}-{stamp}.csv"'
    record_audit(
        job.agency_id,
        request.user,
        "export",
        f"Exported the report of job {job.pk} as CSV",
        target=f"job:{job.pk}",
    )
    return response
