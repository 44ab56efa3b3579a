"""Knowledge documents at ElevenLabs, through the official SDK against the fake provider,
which checks every body against the official OpenAPI: create (text, file, URL), attach to
the agent with RAG on, re-sync on change, delete."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agents.services import sync_agent
from knowledge.models import KnowledgeDocument
from tests.factories import make_agent
from tests.fakeprovider import DEFAULT_ELEVENLABS_API_KEY
from tests.knowledge.documents import pdf_with_text

pytestmark = pytest.mark.django_db
KB = "/v1/convai/knowledge-base"


@pytest.fixture
def agent(live_provider_settings):
    agent = make_agent(name="Lisa")
    assert sync_agent(agent)
    agent.refresh_from_db()
    return agent


def _knowledge_of(fake, agent):
    prompt = fake.agents[agent.elevenlabs_agent_id]["conversation_config"]["agent"]["prompt"]
    return prompt["knowledge_base"], prompt["rag"]


def test_bodies_are_accepted_by_the_openapi_and_rag_is_switched_on(
    staff_client, agent, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post("/knowledge/add/", {"name": "Strata rules", "text": "Pets need approval."})
    document = KnowledgeDocument.objects.get()

    created = fake.last_request("POST", f"{KB}/text")
    assert created.json == {"text": "Pets need approval.", "name": "Strata rules"}
    assert fake.knowledge_documents[document.elevenlabs_document_id]["text"] == (
        "Pets need approval."
    )

    staff_client.post(f"/knowledge/{document.pk}/agents/", {"agents": [agent.pk]})

    knowledge_base, rag = _knowledge_of(fake, agent)
    assert knowledge_base == [
        {
            "type": "text",
            "name": "Strata rules",
            "id": document.elevenlabs_document_id,
            "usage_mode": "auto",
        }
    ]
    assert rag == {"enabled": True}


def test_a_file_is_uploaded_as_multipart_and_cited_as_a_file(
    staff_client, agent, live_provider_settings
):
    fake = live_provider_settings
    content = pdf_with_text()
    staff_client.post(
        "/knowledge/add/",
        {"name": "", "file": SimpleUploadedFile("strata.pdf", content, "application/pdf")},
    )
    document = KnowledgeDocument.objects.get()
    assert document.status == "ready", document.error_message

    stored = fake.knowledge_documents[document.elevenlabs_document_id]
    assert (stored["type"], stored["filename"], stored["file"]) == ("file", "strata.pdf", content)
    assert "multipart/form-data" in fake.last_request("POST", f"{KB}/file").header("content-type")

    staff_client.post(f"/knowledge/agent/{agent.pk}/", {"documents": [document.pk]})
    knowledge_base, _rag = _knowledge_of(fake, agent)
    assert knowledge_base[0]["type"] == "file"


def test_a_web_page_is_checked_here_then_added_by_url(
    staff_client, agent, live_provider_settings, settings
):
    fake = live_provider_settings
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b"<html><body><h1>Fees</h1><p>Letting fee: two weeks rent.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://localhost:{server.server_address[1]}/fees"
    try:
        staff_client.post("/knowledge/add/", {"name": "Fees", "url": url})
    finally:
        server.shutdown()

    document = KnowledgeDocument.objects.get()
    assert document.status == "ready", document.error_message
    assert "Letting fee: two weeks rent." in document.text
    assert fake.last_request("POST", f"{KB}/url").json == {"url": url, "name": "Fees"}


def test_a_page_at_an_internal_address_ends_in_error(staff_client, agent, settings):
    staff_client.post("/knowledge/add/", {"name": "Metadata", "url": "http://169.254.169.254/"})

    document = KnowledgeDocument.objects.get()
    assert document.status == "error"
    assert document.error_message.startswith("The page could not be fetched")


def test_a_changed_text_is_uploaded_again_reattached_then_the_old_copy_deleted(
    staff_client, agent, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post("/knowledge/add/", {"name": "Rules", "text": "Old rule."})
    document = KnowledgeDocument.objects.get()
    staff_client.post(f"/knowledge/{document.pk}/agents/", {"agents": [agent.pk]})
    old_id = document.elevenlabs_document_id

    staff_client.post(f"/knowledge/{document.pk}/edit/", {"name": "Rules", "text": "New rule."})

    document.refresh_from_db()
    assert document.elevenlabs_document_id != old_id
    assert old_id not in fake.knowledge_documents
    knowledge_base, _rag = _knowledge_of(fake, agent)
    assert [locator["id"] for locator in knowledge_base] == [document.elevenlabs_document_id]

    # Saving without a change uploads nothing.
    uploads = len(fake.requests_to("POST", KB))
    staff_client.post(f"/knowledge/{document.pk}/edit/", {"name": "Rules", "text": "New rule."})
    assert len(fake.requests_to("POST", KB)) == uploads


def test_deleting_detaches_it_then_deletes_it_at_elevenlabs(
    staff_client, agent, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post("/knowledge/add/", {"name": "Rules", "text": "A rule."})
    document = KnowledgeDocument.objects.get()
    staff_client.post(f"/knowledge/{document.pk}/agents/", {"agents": [agent.pk]})
    assert "Delete Rules?" in staff_client.get(f"/knowledge/{document.pk}/delete/").content.decode()

    staff_client.post(f"/knowledge/{document.pk}/delete/")

    assert not KnowledgeDocument.objects.exists()
    assert fake.knowledge_documents == {}
    assert fake.last_request("DELETE", KB).query["force"] == ["true"]
    knowledge_base, rag = _knowledge_of(fake, agent)
    assert (knowledge_base, rag) == ([], {"enabled": False})


def test_an_upload_elevenlabs_refuses_ends_in_error_with_its_words(
    staff_client, agent, live_provider_settings
):
    live_provider_settings.fail_next("POST", f"{KB}/text", 400, message="Document too long")

    staff_client.post("/knowledge/add/", {"name": "Rules", "text": "A rule."})

    document = KnowledgeDocument.objects.get()
    assert document.status == "error"
    assert document.error_message == "ElevenLabs did not accept the document: Document too long"


def test_the_fake_refuses_what_the_openapi_refuses(live_provider_settings):
    url = live_provider_settings.url
    headers = {"xi-api-key": DEFAULT_ELEVENLABS_API_KEY}
    no_file = httpx.post(f"{url}{KB}/file", headers=headers, files={"name": (None, "x")})
    text_as_field = httpx.post(
        f"{url}{KB}/file", headers=headers, files={"file": (None, "not a file")}
    )
    no_text = httpx.post(f"{url}{KB}/text", headers=headers, json={"name": "x"})
    unknown_document = httpx.patch(
        f"{url}/v1/convai/agents/agent_missing", headers=headers, json={}
    )

    assert no_file.status_code == 422
    assert no_file.json()["detail"][0]["loc"] == ["body", "file"]
    assert text_as_field.status_code == 422
    assert no_text.json()["detail"] == [
        {"loc": ["body", "text"], "msg": "Field required", "type": "missing"}
    ]
    assert unknown_document.status_code == 404
