"""The benchmark harness at a tiny scale: the data builder and the figures produce rows.

No timings are asserted (they depend on the machine); these tests keep `make bench` from
breaking as the apps change. On PostgreSQL (make test-postgres) the builder writes with COPY.
"""

import pytest
from django.db.models import F
from django_q.conf import Conf

from agencies.models import Agency
from bench import data
from bench.deliveries import run_deliveries
from bench.pages import page_urls, run_api, run_pages
from bench.scheduled import run_lateness
from bench.search import run_search
from calls.models import Call
from campaigns.models import JobCall
from contacts.models import Contact, Memory
from listings.models import Listing
from tests.factories import default_agency
from voices.models import CallerVoice

TINY = data.Sizes.at(0.0001)


@pytest.fixture
def bench_data(db):
    big = default_agency()
    data.fill(TINY)
    return big


def test_the_data_spreads_over_fifty_agencies_with_one_big_one(bench_data):
    assert Agency.objects.count() == data.AGENCIES
    big = bench_data
    assert Contact.objects.filter(agency=big).count() == TINY.contacts
    assert Call.objects.filter(agency=big).count() == TINY.calls
    assert Memory.objects.filter(agency=big).count() == TINY.contacts * data.MEMORIES_PER_CONTACT
    assert CallerVoice.objects.filter(agency=big).count() == TINY.voice_mappings
    assert Listing.objects.filter(agency=big).count() == TINY.listings
    assert JobCall.objects.filter(agency=big, call__isnull=False).count() == TINY.job_calls
    for agency in Agency.objects.exclude(pk=big.pk):
        assert Call.objects.filter(agency=agency).count() == TINY.small_calls
        assert Contact.objects.filter(agency=agency).count() == TINY.small_contacts
    # Calls point at their own agency's contacts: agency-scoped queries must filter.
    assert not Call.objects.exclude(contact__agency_id=F("agency_id")).exists()


def test_every_page_and_api_list_is_measured(bench_data):
    pages = run_pages(repeats=1)
    assert set(pages) == set(page_urls(bench_data))
    assert all(figures["queries"] > 0 for figures in pages.values())
    api = run_api(repeats=1)
    assert set(api) == {"GET /api/v1/calls", "GET /api/v1/contacts", "phone lookup"}


def test_search_listings_is_timed_over_the_big_agencys_listings(bench_data, settings):
    settings.ROOT_URLCONF = "bench.urls"
    result = run_search(requests=20)
    assert result["listings"] == TINY.listings
    assert result["requests"] == 20


def test_webhook_deliveries_run_off_the_broker_as_a_worker_runs_them(transactional_db, monkeypatch):
    default_agency()
    # Queued on the database broker rather than run inline, as in use; committed, because
    # django-q2's pusher takes them off it in a process of its own.
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
    result = run_deliveries(count=5)
    assert result["delivered"] == 5


def test_scheduled_calls_are_dialled_and_their_lateness_measured(db):
    default_agency()
    result = run_lateness(count=5, lead=0.2)
    assert result["dialled"] == 5
    assert result["p99"] >= 0
