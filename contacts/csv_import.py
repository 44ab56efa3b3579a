"""Reading the CSV files staff upload (contacts import, campaign uploads) and writing safe exports.

Reading, in the order PITFALLS.md fixes: refuse what is not a CSV (XLSX/XLS, NUL bytes, too
big), decode with BOM sniff (UTF-8/UTF-16) → strict UTF-8 → cp1252 → refuse, then stream the
records with the physical line on which each starts (correct with quoted newlines). The
separator is sniffed from the header line: comma, semicolon (Excel in many European
locales) or tab.

    table = read_csv(fileobj)           # raises CsvRejected with a message for staff
    table.headers                       # ["name", "phone", ...] lower-cased and trimmed
    for row in table.rows():            # CsvRow(line_number=2, cells=("Priya", ...))
        ...

Memory stays flat: the file is read twice in chunks (encoding check, then records) and
never held whole. Writing: `escape_cell()` and `iter_csv_lines()` for exports that a
spreadsheet will not execute and that this reader imports back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from typing import IO, NamedTuple

from django.conf import settings

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # settings.CSV_IMPORT_MAX_BYTES overrides it
MAX_COLUMNS = 100
# Longer than any real name, note or tag list; a longer field is usually an unclosed quote
# that swallowed the rest of the file.
MAX_FIELD_CHARS = 10_000
_CHUNK = 64 * 1024
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}

# Formula triggers in spreadsheets (CSV injection). NUL is included because some
# spreadsheet importers drop it and then see the next character.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")

_SAVE_AS_CSV = "Save it as CSV (comma separated) and upload that."
_MAGIC = {
    b"PK\x03\x04": f"This looks like an Excel (.xlsx) file. {_SAVE_AS_CSV}",
    b"\xd0\xcf\x11\xe0": f"This looks like an old Excel (.xls) file. {_SAVE_AS_CSV}",
    b"%PDF": "This is a PDF file, not a CSV file.",
}


class CsvRejected(ValueError):
    """The file cannot be read as a CSV; the message says why, in words staff understand."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsvRow(NamedTuple):
    """One record: the physical line it starts on (the header is line 1) and its cells.

    `cells` holds one text per header column, trimmed and with an export's protective `'`
    removed; missing trailing cells are "", extra ones dropped. `error` is set (and `cells`
    empty) when the record itself could not be read, e.g. a value over `max_field_chars`.
    A named tuple: a 100k-row file builds 100k of them, at a quarter of a dataclass's cost.
    """

    line_number: int
    cells: tuple[str, ...] = ()
    error: str = ""


def max_upload_bytes() -> int:
    """The upload size limit (setting CSV_IMPORT_MAX_BYTES, default 10 MB)."""
    return int(getattr(settings, "CSV_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, size // 1024)} KB"


def _file_size(fileobj: IO[bytes]) -> int:
    size = getattr(fileobj, "size", None)
    if isinstance(size, int):
        return size
    position = fileobj.tell()
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def sniff_encoding(fileobj: IO[bytes]) -> str:
    """The text encoding of a binary CSV file, or CsvRejected; leaves the file at position 0.

    BOM first (UTF-8, UTF-16 LE/BE), then strict UTF-8 over the whole file, then cp1252
    (what Excel on Windows writes); bytes neither can decode are refused. Also refuses
    spreadsheets and binary files saved with a .csv name and files with NUL bytes.
    """
    fileobj.seek(0)
    head = fileobj.read(4)
    for magic, message in _MAGIC.items():
        if head.startswith(magic):
            fileobj.seek(0)
            raise CsvRejected(message)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = ""

    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    for name in candidates:
        if _decodes_cleanly(fileobj, name):
            return name
    if encoding:
        label = encoding.upper().removesuffix("-SIG")
        raise CsvRejected(f"The file starts with a {label} marker but is not valid {label} text.")
    raise CsvRejected(
        "The file's characters could not be read (neither UTF-8 nor Windows-1252). "
        "Save it as “CSV UTF-8” and upload it again."
    )


def _decodes_cleanly(fileobj: IO[bytes], encoding: str) -> bool:
    """Whether the whole file decodes strictly as `encoding` (chunk by chunk); rewinds.

    Raises CsvRejected when the text holds NUL characters.
    """
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        while True:
            chunk = fileobj.read(_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if "\0" in text:
                raise CsvRejected(
                    "The file contains NUL bytes, so it is not a plain CSV file. "
                    "Open it in a spreadsheet and save it as CSV (comma separated)."
                )
            if not chunk:
                return True
    except UnicodeDecodeError:
        return False
    finally:
        fileobj.seek(0)


def normalise_header(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def strip_export_prefix(value: str) -> str:
    """Undo escape_cell(): drop one leading `'` that protects a formula-like cell."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def escape_cell(value: object) -> str:
    """A cell value a spreadsheet shows as text: `'` before = + - @ TAB CR NUL.

    E.164 phone numbers (`+61412345678`) are left intact: they are not formulas and a
    prefixed phone would not import back as the same number.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not _E164.match(text):
        return "'" + text
    return text


class _LineEcho:
    """A write-only "file" for csv.writer that hands back each formatted line."""

    def write(self, value: str) -> str:
        return value


def iter_csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV text, one record at a time, with every cell passed through escape_cell()."""
    writer = csv.writer(_LineEcho(), lineterminator="\r\n")
    for row in rows:
        yield writer.writerow([escape_cell(cell) for cell in row])


def sniff_delimiter(line: str) -> str:
    """The separator of a header line: the most frequent of , ; TAB outside quotes (, on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class CsvTable:
    """A validated CSV file: `headers` and a `rows()` stream. Build it with read_csv()."""

    def __init__(
        self, fileobj: IO[bytes], encoding: str, *, max_field_chars: int = MAX_FIELD_CHARS
    ) -> None:
        self._fileobj = fileobj
        self.max_field_chars = max_field_chars
        self.encoding = encoding
        self.headers: list[str] = []
        self.original_headers: list[str] = []  # as written in the file, trimmed
        self.header_line = 1
        self.delimiter = ","
        self._read_headers()

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES[self.delimiter]

    def _open(self) -> tuple[io.TextIOWrapper, Iterator[list[str]]]:
        self._fileobj.seek(0)
        text = io.TextIOWrapper(self._fileobj, encoding=self.encoding, newline="")  # type: ignore[arg-type]
        return text, csv.reader(text, delimiter=self.delimiter)

    def _read_headers(self) -> None:
        self._fileobj.seek(0)
        text = io.TextIOWrapper(self._fileobj, encoding=self.encoding, newline="")  # type: ignore[arg-type]
        try:
            first_line = next((line for line in text if line.strip()), "")
        finally:
            text.detach()
        self.delimiter = sniff_delimiter(first_line)
        text, reader = self._open()
        try:
            for record in reader:
                if any(cell.strip() for cell in record):
                    self.original_headers = [cell.replace("\ufeff", "").strip() for cell in record]
                    self.headers = [normalise_header(cell) for cell in record]
                    self.header_line = reader.line_num
                    break
        except csv.Error as error:
            raise CsvRejected(f"The header row could not be read: {error}.") from None
        finally:
            text.detach()
        if not self.headers:
            raise CsvRejected("The file is empty.")
        if len(self.headers) > MAX_COLUMNS:
            raise CsvRejected(
                f"The file has {len(self.headers)} columns; at most {MAX_COLUMNS} are allowed."
            )

    def _records(self) -> Iterator[tuple[int, int, list[str] | None, str]]:
        """(first line, last line, record or None, read error) for every record after the header.

        Raises CsvRejected when the last record is a quote never closed: it swallowed every
        line after it, and importing the rest as "1 row" would hide that.
        """
        text, reader = self._open()
        try:
            last_line = 0
            header_seen = False
            previous: tuple[int, int, list[str] | None, str] | None = None
            while True:
                start = last_line + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    last_line = reader.line_num
                    current = (start, last_line, None, f"Line {start} could not be read: {error}.")
                else:
                    last_line = reader.line_num
                    if not header_seen:
                        header_seen = last_line >= self.header_line
                        continue
                    current = (start, last_line, record, "")
                if previous is not None:
                    yield previous
                previous = current
            if previous is not None:
                first, last, record, _ = previous
                if record is not None and last > first and self._quote_left_open(first):
                    raise CsvRejected(
                        f'A quote (") opened on line {first} is never closed, so lines '
                        f"{first}–{last} would be read as one value. Close or remove that quote "
                        "and upload the file again."
                    )
                yield previous
        finally:
            text.detach()

    def _quote_left_open(self, first_line: int) -> bool:
        """Whether the record starting on `first_line` runs to the end of the file in quotes."""
        self._fileobj.seek(0)
        text = io.TextIOWrapper(self._fileobj, encoding=self.encoding, newline="")  # type: ignore[arg-type]
        try:
            lines = itertools.islice(text, first_line - 1, None)
            reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
            try:
                next(reader)
            except csv.Error as error:
                return "unexpected end of data" in str(error)
            except StopIteration:
                return False
            return False
        finally:
            text.detach()

    def _swallowed_rows(self, record: list[str]) -> bool:
        """Whether a quoted value holds whole lines that look like rows (a stray quote)."""
        needed = max(1, len(self.headers) - 1)
        for cell in record:
            if "\n" in cell or "\r" in cell:
                lines = cell.splitlines()[1:]
                if any(line.count(self.delimiter) >= needed for line in lines):
                    return True
        return False

    def rows(self) -> Iterator[CsvRow]:
        """Every non-blank record after the header, with its starting physical line number."""
        width = len(self.headers)
        padding = [""] * width
        multi_column = width > 1
        max_field_chars = self.max_field_chars
        strip = str.strip
        for start, end, record, error in self._records():
            if record is None:
                yield CsvRow(start, error=error)
                continue
            joined = "".join(record)
            if not joined.strip():
                continue  # blank line, or only separators
            if end > start and multi_column and self._swallowed_rows(record):
                yield CsvRow(
                    start,
                    error=f'A quote (") opened on line {start} runs to line {end}, so the lines '
                    "in between were read as one value. Close or remove that quote.",
                )
                continue
            # No value can be too long when all of them together are not (the common case).
            if len(joined) > max_field_chars and max(map(len, record)) > max_field_chars:
                message = f"A value is longer than {max_field_chars:,} characters."
                yield CsvRow(start, error=message)
                continue
            if len(record) == width and "'" not in joined:  # the common case, kept lean
                yield CsvRow(start, tuple(map(strip, record)))
                continue
            if len(record) < width:
                record.extend(padding[len(record) :])
            cells = tuple(
                [
                    strip_export_prefix(cell) if cell[:1] == "'" else cell
                    for cell in map(strip, record[:width])
                ]
            )
            yield CsvRow(start, cells)


def read_csv(
    fileobj: IO[bytes], *, max_bytes: int | None = None, max_field_chars: int = MAX_FIELD_CHARS
) -> CsvTable:
    """Check size, type and encoding of a binary CSV file and read its header row.

    Raises CsvRejected with a message for staff. The file must be seekable (an uploaded
    file or a file on disk); it is read again by each `rows()` call. A record with a value
    over `max_field_chars` is a row error.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    size = _file_size(fileobj)
    if size > limit:
        raise CsvRejected(
            f"The file is {describe_size(size)}; the limit is {describe_size(limit)}. "
            "Split it into smaller files."
        )
    if size == 0:
        raise CsvRejected("The file is empty.")
    return CsvTable(fileobj, sniff_encoding(fileobj), max_field_chars=max_field_chars)


def iter_csv_rows(fileobj: IO[bytes], *, max_bytes: int | None = None) -> Iterator[CsvRow]:
    """Shortcut for `read_csv(fileobj).rows()` (raises CsvRejected before the first row)."""
    return read_csv(fileobj, max_bytes=max_bytes).rows()
