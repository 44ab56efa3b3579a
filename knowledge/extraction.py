"""Text out of the documents staff upload: PDF (pypdf), DOCX (python-docx), text, Markdown,
CSV and HTML. Every refusal is an `ExtractionError` whose message staff can act on."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html.parser import HTMLParser

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000
CHUNK_CHARS = 1_000  # about the size of a retrieval chunk
# Fewer letters than this per page on average: the PDF is a scan (images, no text layer).
MIN_CHARS_PER_PAGE = 20
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "txt": "txt",
    "text": "txt",
    "md": "md",
    "markdown": "md",
    "csv": "csv",
    "html": "html",
    "htm": "html",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "html": "text/html",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, and every encrypted Office file


class ExtractionError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def file_type_for(filename: str) -> str | None:
    """The document type for a file name (by extension), or None when not supported."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return EXTENSIONS.get(extension)


def check_upload(filename: str, content_start: bytes, size: int) -> str:
    """The type of an upload; ExtractionError when unsupported, empty, too large or mislabelled."""
    file_type = file_type_for(filename)
    if file_type is None:
        raise ExtractionError(
            "Upload a PDF, Word (.docx), text (.txt), Markdown (.md), CSV or HTML file."
        )
    if size == 0:
        raise ExtractionError("The file is empty.")
    if size > MAX_FILE_BYTES:
        raise ExtractionError(
            f"The file is {size / (1024 * 1024):.1f} MB; documents can be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it, or remove images."
        )
    if file_type == "pdf" and not content_start.startswith(b"%PDF-"):
        raise ExtractionError("The file is named .pdf but is not a PDF.")
    if file_type == "docx":
        if content_start.startswith(_OLE_MAGIC):
            raise ExtractionError(
                "This Word file is password-protected or in the old .doc format: remove the "
                "password, or save it as .docx, and upload it again."
            )
        if not content_start.startswith(b"PK\x03\x04"):
            raise ExtractionError("The file is named .docx but is not a Word document.")
    if file_type in ("txt", "md", "csv", "html") and b"\x00" in content_start:
        raise ExtractionError("The file is binary, not text: check you chose the right file.")
    return file_type


def extract_text(content: bytes, file_type: str) -> str:
    """The document's text, normalised; ExtractionError when there is none to be had."""
    reader = {
        "pdf": _pdf_text,
        "docx": _docx_text,
        "csv": _csv_text,
        "html": lambda data: html_text(decode_text(data)),
    }.get(file_type, decode_text)
    text = normalise(reader(content))
    if not text:
        raise ExtractionError("The document contains no text.")
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractionError(
            f"The document has {len(text):,} characters of text; at most {MAX_TEXT_CHARS:,} "
            "can be used. Split it into smaller documents."
        )
    return text


def normalise(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def chunk_count(text: str) -> int:
    """How many ~CHUNK_CHARS pieces the text splits into along paragraph breaks."""
    if not text:
        return 0
    chunks, size = 1, 0
    for paragraph in text.split("\n\n"):
        length = len(paragraph)
        if size and size + length > CHUNK_CHARS:
            chunks, size = chunks + 1, 0
        while length > CHUNK_CHARS:
            chunks, length = chunks + 1, length - CHUNK_CHARS
        size += length
    return chunks


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with BOM), else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty password only to restrict printing.
            try:
                unlocked = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unknown ciphers
                unlocked = 0
            if not unlocked:
                raise ExtractionError(
                    "The PDF is password-protected: save a copy without the password and "
                    "upload that."
                )
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ExtractionError(f"The PDF could not be read ({error}).") from None
    text = "\n\n".join(pages)
    letters = sum(char.isalnum() for char in text)
    if pages and letters < MIN_CHARS_PER_PAGE * len(pages):
        raise ExtractionError(
            "The PDF has no text layer (it looks like a scan): run it through OCR, or "
            "export it from the original document, and upload it again."
        )
    return text


def _docx_text(content: bytes) -> str:
    from docx import Document

    try:
        document = Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ExtractionError(f"The Word document could not be read ({error}).") from None
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n".join(parts)


def _csv_text(content: bytes) -> str:
    """One line per row: `Header: value; Header: value` (what retrieval can match)."""
    rows = list(csv.reader(io.StringIO(decode_text(content))))
    if not rows:
        return ""
    headers, lines = rows[0], []
    for row in rows[1:]:
        pairs = [
            f"{header}: {value}"
            for header, value in zip(headers, row, strict=False)
            if value.strip()
        ]
        if pairs:
            lines.append("; ".join(pairs))
    return "\n".join(lines) if lines else ", ".join(headers)


class _TextOfHtml(HTMLParser):
    SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
    BLOCKS = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "table",
        "ul",
        "ol",
        "dd",
        "dt",
        "title",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of an HTML page (scripts, styles and the head left out)."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
