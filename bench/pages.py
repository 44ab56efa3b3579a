"""Pages and API lists of the big agency, timed in process, for `make bench` (figures d, g).

Every list, detail and dashboard page a staff member opens, and the REST API's lists and
phone lookup with an API key: median and p95 ms over `repeats` loads, and the number of
queries one load makes (which must not grow with the data).
"""

import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Agency
from api.keys import create_api_key
from api.models import ApiKey
from bench import data
from calls.models import Call
from calls.selectors import encode_cursor
from campaigns.models import Campaign, Job
from contacts.models import Contact


def big_agency() -> Agency:
    return Agency.objects.order_by("created_at").first()


# A page far over its goal stops early (after at least 3 loads) so the run stays bounded.
PAGE_BUDGET_MS = 15_000


def _measure(client: Client, urls: dict[str, str], repeats: int, **headers) -> dict:
    results = {}
    for name, url in urls.items():
        client.get(url, headers=headers)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            if len(times) >= 3 and sum(times) > PAGE_BUDGET_MS:
                break
        with CaptureQueriesContext(connection) as queries:
            client.get(url, headers=headers)
        times.sort()
        results[name] = {
            "median": statistics.median(times),
            "p95": times[max(0, int(len(times) * 0.95) - 1)],
            "queries": len(queries),
            "loads": len(times),
        }
    return results


def page_urls(agency: Agency) -> dict[str, str]:
    calls = Call.objects.filter(agency=agency)
    middle = calls.order_by("-created_at", "-id")[calls.count() // 2]
    agent_id = calls.exclude(agent=None).values_list("agent_id", flat=True).first()
    campaign = Campaign.objects.filter(agency=agency).first()
    job = Job.objects.filter(agency=agency).first()
    # The contact with the most history: a caller whose page lists calls and memories.
    contact = Contact.objects.filter(agency=agency, phone=data.contact_phone(0)).first()
    call = calls.filter(contact=contact).order_by("-created_at").first()
    today = timezone.localdate()
    quarter = f"date_from={today - timedelta(days=90)}&date_to={today}"
    return {
        "dashboard": "/",
        "analytics, 90 days": f"/analytics/?{quarter}",
        "calls list, first page": "/calls/",
        "calls list, deep page": "/calls/?before=" + encode_cursor(middle),
        "calls list, filtered": f"/calls/?status=failed&direction=outbound&agent={agent_id}",
        "calls list, search": "/calls/?q=0410 000 123",
        "calls list, by outcome": "/calls/?outcome=appraisal_booked",
        "calls list, by campaign": f"/calls/?campaign={campaign.pk}",
        "call detail": f"/calls/{call.pk}/",
        "contacts list": "/contacts/",
        "contact detail": f"/contacts/{contact.pk}/",
        "campaign page": f"/campaigns/{campaign.pk}/",
        "job page": f"/campaigns/jobs/{job.pk}/",
    }


def run_pages(repeats: int = 20) -> dict:
    """Each page's median/p95 ms and query count, logged in as the big agency's owner."""
    client = Client()
    assert client.login(username=data.STAFF_USER, password=data.STAFF_PASSWORD)
    return _measure(client, page_urls(big_agency()), repeats)


def run_api(repeats: int = 20) -> dict:
    """The API's first pages and phone lookup with a key of the big agency (deleted after)."""
    agency = big_agency()
    key = create_api_key(agency=agency, name="Benchmark")
    urls = {
        "GET /api/v1/calls": "/api/v1/calls",
        "GET /api/v1/contacts": "/api/v1/contacts",
        "phone lookup": "/api/v1/contacts?phone=" + data.contact_phone(data.CONTACTS // 2),
    }
    try:
        # The rate limit protects a live server; the benchmark measures the request itself.
        with override_settings(API_RATE_LIMIT_PER_MINUTE=10**9):
            return _measure(Client(), urls, repeats, authorization=f"Bearer {key.secret}")
    finally:
        ApiKey.objects.filter(pk=key.api_key.pk).delete()
