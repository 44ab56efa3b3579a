"""What a REAXML file may not do: expand entities, fetch anything, or be malformed; and the
encodings and shapes real exports come in."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from listings.models import Listing, ListingImport
from tests.listings.helpers import REAXML_DIR, reaxml, upload_reaxml

pytestmark = pytest.mark.django_db


def test_a_billion_laughs_file_is_refused_without_expanding_it(staff_client):
    response = upload_reaxml(staff_client, "billion_laughs.xml")

    report = ListingImport.objects.get()
    assert "declares XML entities" in report.error
    assert not Listing.objects.exists()
    assert "was not imported" in response.content.decode()


@pytest.fixture
def watched_server():
    """An HTTP server that records every request it gets (it must get none)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"stolen")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def test_an_external_entity_is_never_resolved(staff_client, watched_server):
    url, seen = watched_server
    template = (REAXML_DIR / "external_entity.xml.template").read_text()
    for target in (f"{url}/secret", "file:///etc/passwd"):
        upload_reaxml(staff_client, "xxe.xml", template.replace("{url}", target).encode())

    assert seen == []
    assert not Listing.objects.exists()
    assert all("refused" in report.error for report in ListingImport.objects.all())


def test_the_dtd_named_in_the_doctype_is_never_fetched(staff_client, watched_server):
    url, seen = watched_server
    content = reaxml("every_kind.xml").replace(
        b"http://reaxml.realestate.com.au/propertyList.dtd", f"{url}/propertyList.dtd".encode()
    )

    upload_reaxml(staff_client, "every_kind.xml", content)

    assert seen == []
    assert Listing.objects.count() == 9


def test_malformed_xml_is_refused_with_its_line_number(staff_client):
    response = upload_reaxml(staff_client, "malformed.xml")

    report = ListingImport.objects.get()
    assert report.error == ("The file is not well-formed XML: line 7, column 5: mismatched tag.")
    assert "line 7" in response.content.decode()
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    ("name", "unique_id"),
    [
        ("latin1_declared.xml", "CAFE-1"),
        ("latin1_undeclared.xml", "CAFE-1"),
        ("utf8_bom.xml", "CAFE-2"),
    ],
)
def test_latin1_and_utf8_files_read_the_same_text(staff_client, name, unique_id):
    upload_reaxml(staff_client, name)

    listing = Listing.objects.get(unique_id=unique_id)
    assert listing.headline.startswith("Café society")
    assert listing.street_address == "4 Rue Crémieux"
    if name == "utf8_bom.xml":
        assert "☕" in listing.headline
    if name == "latin1_undeclared.xml":
        assert any("read as Latin-1" in p["message"] for p in ListingImport.objects.get().problems)


def test_a_single_listing_fragment_with_a_control_character_is_read(staff_client):
    upload_reaxml(staff_client, "fragment_control_char.xml")

    listing = Listing.objects.get(unique_id="FRAG-1")
    assert listing.headline == "Sunny flat"
    assert listing.agent_code == "24121"
    assert any(
        "control characters" in problem["message"]
        for problem in ListingImport.objects.get().problems
    )


def test_an_empty_or_foreign_file_is_refused_with_a_reason(staff_client):
    response = staff_client.post(
        "/listings/import/",
        {"file": __import__("django").core.files.uploadedfile.SimpleUploadedFile("e.xml", b"")},
    )
    assert "The submitted file is empty" in response.content.decode()

    upload_reaxml(staff_client, "feed.xml", b"<rss><channel/></rss>")
    assert "not a REAXML file" in ListingImport.objects.get().error
