from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.current import require_agency, role_required
from audit.forms import AuditFilterForm
from audit.models import AuditEntry
from voqo.models import agency_zone

PAGE_SIZE = 50


@require_GET
@role_required("manager")
def audit_page(request: HttpRequest) -> HttpResponse:
    """The agency's audit trail, newest first, filtered; "Older" pages by id (no OFFSET)."""
    agency = require_agency(request)
    form = AuditFilterForm(request.GET or None, agency=agency)
    entries = form.filter(AuditEntry.objects.filter(agency=agency), agency_zone(agency))
    before = request.GET.get("before", "")
    if before.isdigit():
        entries = entries.filter(id__lt=int(before))
    page = list(entries.order_by("-id")[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "entries": page[:PAGE_SIZE],
        "older_cursor": older,
        "query_string": query.urlencode(),
        "paged": bool(before),
    }
    return render(request, "audit/audit_page.html", context)
