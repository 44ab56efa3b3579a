"""Adding knowledge documents: every accepted type, and a clear reason for every refusal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import KnowledgeDocument
from tests.factories import make_staff_user
from tests.knowledge.documents import docx_with_text, encrypted_pdf, pdf_with_text, scanned_pdf

pytestmark = pytest.mark.django_db


def add(client, filename=None, content=b"", **fields):
    data = dict(fields)
    if filename is not None:
        data["file"] = SimpleUploadedFile(filename, content)
    return client.post("/knowledge/add/", data, follow=True)


@pytest.mark.parametrize(
    ("filename", "content", "expected_text", "file_type"),
    [
        ("strata.pdf", pdf_with_text(), "Strata levies are paid quarterly.", "pdf"),
        ("policies.docx", docx_with_text(), "Bond | Four weeks rent", "docx"),
        ("faq.txt", b"Parking: one space per unit.", "Parking: one space", "txt"),
        ("faq.md", b"# FAQ\n\n**Pets** allowed with approval.", "**Pets** allowed", "md"),
        (
            "fees.csv",
            b"Service,Fee\nLetting,2 weeks rent\n",
            "Service: Letting; Fee: 2 weeks",
            "csv",
        ),
        (
            "page.html",
            b"<html><head><title>T</title><script>var x=1;</script></head>"
            b"<body><h1>Open homes</h1><p>Saturdays 10&ndash;11am</p></body></html>",
            "Open homes\n\nSaturdays 10\u201311am",
            "html",
        ),
        ("latin.txt", "Caf\xe9 on site".encode("cp1252"), "Café on site", "txt"),
    ],
)
def test_each_supported_type_becomes_ready_with_its_text_measured(
    staff_client, filename, content, expected_text, file_type
):
    response = add(staff_client, filename, content, name="")

    document = KnowledgeDocument.objects.get()
    assert document.status == "ready", document.error_message
    assert document.file_type == file_type
    assert document.name == filename
    assert expected_text in document.text
    assert "var x" not in document.text
    assert document.file_size == len(content)
    assert document.text_length == len(document.text)
    assert document.chunk_count == 1
    assert document.elevenlabs_document_id.startswith("kb_sbx_")
    page = response.content.decode()
    assert f"{document.text_length} characters in 1 chunk" in page


def test_pasted_text_and_long_documents_are_chunked(staff_client):
    text = "\n\n".join(f"Paragraph {n}: " + "word " * 60 for n in range(10))

    add(staff_client, name="Suburb guide", text=text)

    document = KnowledgeDocument.objects.get()
    assert document.source == "text" and document.status == "ready"
    assert document.chunk_count == 4  # ~310 characters a paragraph, 3 to a ~1,000 chunk


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("scan.pdf", scanned_pdf(), "The PDF has no text layer (it looks like a scan)"),
        ("locked.pdf", encrypted_pdf(), "The PDF is password-protected"),
    ],
)
def test_a_pdf_without_usable_text_ends_in_error_with_the_reason(
    staff_client, filename, content, message
):
    response = add(staff_client, filename, content)

    document = KnowledgeDocument.objects.get()
    assert document.status == "error"
    assert message in document.error_message
    assert document.elevenlabs_document_id == ""
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "Upload a PDF, Word (.docx), text"),
        ("fake.pdf", b"<html>not a pdf</html>", "is named .pdf but is not a PDF"),
        ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "password-protected"),
        ("binary.txt", b"abc\x00def", "The file is binary, not text"),
    ],
)
def test_unusable_files_are_refused_before_anything_is_saved(
    staff_client, filename, content, message
):
    response = add(staff_client, filename, content)

    assert message in response.content.decode()
    assert not KnowledgeDocument.objects.exists()


def test_a_file_over_the_limit_is_refused_with_its_size(staff_client):
    response = add(staff_client, "huge.txt", b"a" * (20 * 1024 * 1024 + 1))

    assert "documents can be at most 20 MB" in response.content.decode()
    assert not KnowledgeDocument.objects.exists()


def test_one_source_at_a_time_and_pasted_text_needs_a_name(staff_client):
    assert (
        "Choose a file, give a web page address, or paste text."
        in add(staff_client).content.decode()
    )
    assert (
        "Add one thing at a time"
        in add(staff_client, "a.txt", b"x", text="y", name="Both").content.decode()
    )
    assert "Give pasted text a name." in add(staff_client, text="Some text").content.decode()
    assert not KnowledgeDocument.objects.exists()


def test_staff_see_documents_but_only_managers_change_them(client):
    client.force_login(make_staff_user(username="viewer", role="staff"))

    assert client.get("/knowledge/").status_code == 200
    assert add(client, text="x", name="y").status_code == 403
    assert not KnowledgeDocument.objects.exists()


def test_the_list_shows_size_text_length_chunks_and_status(staff_client):
    add(staff_client, "faq.txt", b"Parking: one space per unit.")
    add(staff_client, "scan.pdf", scanned_pdf())

    page = staff_client.get("/knowledge/").content.decode()
    assert "28 characters" in page
    assert "Ready" in page and "Error" in page
