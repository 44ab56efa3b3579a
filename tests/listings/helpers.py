"""REAXML files written from the format notes (../shared/reference/reaxml.md), and uploads."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

REAXML_DIR = Path(__file__).parent / "reaxml"


def reaxml(name: str) -> bytes:
    return (REAXML_DIR / name).read_bytes()


def upload_reaxml(client, name: str, content: bytes | None = None):
    """POST a REAXML file to the import page as a manager would; follows to the report."""
    content = reaxml(name) if content is None else content
    return client.post(
        reverse("listings:import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/xml")},
        follow=True,
    )
