"""The agency's REAXML feed: polled on a schedule through the SSRF-guarded egress, with a
conditional GET, imported only when it changed."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from listings.models import Listing, ListingFeed, ListingImport
from listings.queue import FEED_SCHEDULE_NAME
from listings.tasks import poll_due_feeds
from tests.factories import default_agency
from tests.listings.helpers import reaxml

pytestmark = pytest.mark.django_db


class FeedServer:
    """Serves one REAXML document with an ETag; answers 304 to a matching If-None-Match."""

    def __init__(self, body: bytes, etag: str = '"v1"') -> None:
        self.body, self.etag = body, etag
        self.requests: list[dict[str, str]] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                feed.requests.append({k.lower(): v for k, v in self.headers.items()})
                if self.headers.get("If-None-Match") == feed.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("ETag", feed.etag)
                self.send_header("Last-Modified", "Wed, 04 Mar 2026 09:00:00 GMT")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]


@pytest.fixture
def feed_server(settings):
    # Tests reach the local server by name; the egress still refuses its address otherwise.
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    server = FeedServer(reaxml("every_kind.xml"))
    yield server
    server.server.shutdown()


def test_migrate_creates_the_feed_schedule():
    call_command("migrate", verbosity=0)
    schedule = Schedule.objects.get(name=FEED_SCHEDULE_NAME)
    assert schedule.func == "listings.tasks.poll_due_feeds"


def test_the_feed_is_fetched_then_asked_only_whether_it_changed(staff_client, feed_server):
    url = f"http://localhost:{feed_server.port}/feed.xml"
    response = staff_client.post(
        "/listings/import/feed/", {"url": url, "poll_every_minutes": 15, "enabled": "on"}
    )
    assert response.status_code == 302

    assert poll_due_feeds() == 1
    assert Listing.objects.count() == 9
    feed = ListingFeed.objects.get()
    assert feed.etag == '"v1"'
    assert feed.last_result.startswith("9 created")

    # Not due yet: the schedule's next tick does nothing.
    assert poll_due_feeds() == 0
    ListingFeed.objects.update(checked_at=None)
    assert poll_due_feeds() == 1

    second = feed_server.requests[-1]
    assert second["if-none-match"] == '"v1"'
    assert second["if-modified-since"] == "Wed, 04 Mar 2026 09:00:00 GMT"
    assert ListingImport.objects.count() == 1  # a 304 imports nothing
    assert ListingFeed.objects.get().last_result == "Not modified since the last check"


def test_check_now_imports_a_changed_feed(staff_client, feed_server):
    url = f"http://localhost:{feed_server.port}/feed.xml"
    staff_client.post("/listings/import/feed/", {"url": url, "poll_every_minutes": 720})
    staff_client.post("/listings/import/feed/check/")
    feed_server.body, feed_server.etag = reaxml("update_only.xml"), '"v2"'

    response = staff_client.post("/listings/import/feed/check/", follow=True)

    assert "Feed checked: 0 created, 1 updated, 2 removed" in response.content.decode()
    assert Listing.objects.get(unique_id="RES-1").status == "sold"
    assert ListingFeed.objects.get().etag == '"v2"'


def test_a_feed_at_an_internal_address_is_refused_by_the_egress(staff_client, feed_server):
    # 127.0.0.1 is not an allowed name: the SSRF guard refuses it before connecting.
    url = f"http://127.0.0.1:{feed_server.port}/feed.xml"
    staff_client.post("/listings/import/feed/", {"url": url, "poll_every_minutes": 60})

    response = staff_client.post("/listings/import/feed/check/", follow=True)

    assert feed_server.requests == []
    feed = ListingFeed.objects.get()
    assert "could not be fetched" in feed.last_error
    assert feed.last_error in response.content.decode()
    assert not Listing.objects.exists()


def test_a_broken_feed_is_reported_and_fetched_in_full_next_time(staff_client, feed_server):
    feed_server.body = reaxml("malformed.xml")
    url = f"http://localhost:{feed_server.port}/feed.xml"
    staff_client.post(
        "/listings/import/feed/", {"url": url, "poll_every_minutes": 60, "enabled": "on"}
    )

    poll_due_feeds()

    feed = ListingFeed.objects.get()
    assert "line 7" in feed.last_error
    assert feed.etag == ""  # so the fixed file is not answered with 304
    assert "refused" in staff_client.get("/listings/import/").content.decode().lower()


def test_feed_urls_with_credentials_or_other_schemes_are_refused(staff_client):
    for url, message in (
        ("ftp://feeds.example.com/x.xml", "Use an http:// or https:// address"),
        ("https://user:pw@feeds.example.com/x.xml", "no user name or password"),
    ):
        response = staff_client.post(
            "/listings/import/feed/", {"url": url, "poll_every_minutes": 60}
        )
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not ListingFeed.objects.exists()


def test_a_suspended_agencys_feed_is_not_polled(feed_server):
    agency = default_agency()
    ListingFeed.objects.create(agency=agency, url=f"http://localhost:{feed_server.port}/f.xml")
    type(agency).objects.filter(pk=agency.pk).update(active=False)

    assert poll_due_feeds() == 0
    assert feed_server.requests == []
