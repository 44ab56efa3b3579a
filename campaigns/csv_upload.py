"""Reading a campaign CSV: streamed from disk, row by row, never whole in memory.

Rules (PRODUCT.md §9, PITFALLS.md "Phones and CSV"): a header row; `phone` or
`phone_number` required, `name` optional, every other column a variable. Decoding, blank
rows, trimming, line numbers and the refusal of spreadsheets/NUL bytes come from the one
CSV reader (`contacts.csv_import`); this module adds what a campaign needs: phones
normalised for calling, variables with safe names, duplicates within the file flagged,
and the row/size limits below refused with a clear message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from contacts.csv_import import CsvRejected, CsvRow, read_csv
from voqo.calling_window import UnknownState, parse_state, region_for_phone
from voqo.phones import normalize_phone

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 50
MAX_FIELD_CHARS = 1000
MAX_NAME_CHARS = 200
MAX_STORED_ERRORS = 200
PREVIEW_ROWS = 10

PHONE_HEADERS = ("phone", "phone_number")
NAME_HEADER = "name"
# Optional: where the person lives (NSW, WA, …), so a mobile gets that state's calling hours.
STATE_VARIABLE = "state"

LIMITS_HELP = (
    f"CSV up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, {MAX_ROWS:,} rows, {MAX_COLUMNS} columns "
    f"and {MAX_FIELD_CHARS:,} characters per cell. A “phone” (or “phone_number”) column is "
    "required; “name” is optional; an optional “state” (NSW, VIC, QLD, SA, WA, TAS, NT, ACT) "
    "puts a mobile in that state's calling hours; every other column becomes a variable the "
    "agent can use."
)


class UploadRefused(Exception):
    """The whole file is refused; `message` says why in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParsedRow:
    line: int
    phone: str
    name: str
    variables: dict[str, str]
    region: str


@dataclass
class RowProblem:
    line: int
    message: str
    duplicate: bool = False

    def as_json(self) -> dict:
        return {"line": self.line, "message": self.message}


@dataclass
class UploadSummary:
    """One pass over a file: counts, the first rows, and the first problems."""

    variable_keys: list[str]
    total_rows: int = 0
    invalid_rows: int = 0
    duplicate_rows: int = 0
    preview: list[ParsedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def valid_rows(self) -> int:
        return self.total_rows - self.invalid_rows - self.duplicate_rows

    @property
    def problem_count(self) -> int:
        return self.invalid_rows + self.duplicate_rows

    def add_problem(self, problem: RowProblem) -> None:
        if problem.duplicate:
            self.duplicate_rows += 1
        else:
            self.invalid_rows += 1
        if len(self.problems) < MAX_STORED_ERRORS:
            self.problems.append(problem)


def variable_key(header: str) -> str:
    """A header as a safe dynamic-variable name: `First Name` → `first_name`."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")[:60]
    if key and key[0].isdigit():
        key = f"v_{key}"
    return key


@dataclass
class _Columns:
    phone: int
    name: int | None
    variables: list[tuple[int, str]]  # (column index, variable key)


@dataclass
class _Columns:
    phone: str
    name: str | None
    variables: list[tuple[str, str]]  # (normalised header, variable key)


def _read_header(headers: list[str]) -> _Columns:
    if len(headers) > MAX_COLUMNS:
        raise UploadRefused(
            f"The file has {len(headers)} columns; the limit is {MAX_COLUMNS}. Remove the "
            "columns the agent does not need."
        )
    keys = {header: variable_key(header) for header in headers}
    phone = next((h for name in PHONE_HEADERS for h in headers if keys[h] == name), None)
    if phone is None:
        raise UploadRefused(
            "The file has no phone column. Name the column with the numbers “phone” or "
            "“phone_number” in the first row."
        )
    name = next((h for h in headers if keys[h] == NAME_HEADER), None)
    variables: list[tuple[str, str]] = []
    used = {"phone", "phone_number", NAME_HEADER}
    for index, header in enumerate(headers):
        if header in (phone, name) or any(header == h for h, _ in variables):
            continue
        key = keys[header] or f"column_{index + 1}"
        unique, n = key, 2
        while unique in used:
            unique, n = f"{key}_{n}", n + 1
        used.add(unique)
        variables.append((header, unique))
    return _Columns(phone, name, variables)


def _parse_row(row: CsvRow, columns: _Columns) -> ParsedRow | RowProblem:
    line = row.line_number
    if row.error:
        return RowProblem(line, row.error)
    values = row.values
    long_value = next((v for v in values.values() if len(v) > MAX_FIELD_CHARS), None)
    if long_value is not None:
        return RowProblem(line, f"A value is longer than {MAX_FIELD_CHARS:,} characters.")
    raw_phone = values.get(columns.phone, "")
    if not raw_phone:
        return RowProblem(line, "The phone number is missing.")
    try:
        phone = normalize_phone(raw_phone, callable_only=True)
    except ValidationError as error:
        return RowProblem(line, f"{error.messages[0]}")
    name = values.get(columns.name, "") if columns.name else ""
    if len(name) > MAX_NAME_CHARS:
        return RowProblem(line, f"The name is longer than {MAX_NAME_CHARS} characters.")
    variables = {key: values.get(header, "") for header, key in columns.variables}
    try:
        state = parse_state(variables.get(STATE_VARIABLE, ""))
    except UnknownState as error:
        return RowProblem(line, str(error))
    return ParsedRow(line, phone, name, variables, region_for_phone(phone, state))


def read_rows(path: Path) -> tuple[list[str], Iterator[ParsedRow | RowProblem]]:
    """(variable keys, iterator of ParsedRow | RowProblem) in file order, streamed from disk.

    A phone seen on an earlier line is a duplicate problem. Raises UploadRefused for
    whole-file problems (also while iterating: too many rows).
    """
    handle = open(path, "rb")
    try:
        table = read_csv(handle, max_bytes=MAX_UPLOAD_BYTES)
        columns = _read_header(table.headers)
    except CsvRejected as error:
        handle.close()
        raise UploadRefused(error.message) from None
    except UploadRefused:
        handle.close()
        raise

    def rows() -> Iterator[ParsedRow | RowProblem]:
        seen: dict[str, int] = {}  # phone → first line (E.164 strings: ~10 MB at 100k rows)
        with handle:
            for count, row in enumerate(table.rows(), start=1):
                if count > MAX_ROWS:
                    raise UploadRefused(
                        f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
                    )
                parsed = _parse_row(row, columns)
                if isinstance(parsed, ParsedRow):
                    first_line = seen.setdefault(parsed.phone, parsed.line)
                    if first_line != parsed.line:
                        parsed = RowProblem(
                            parsed.line, f"Duplicate of line {first_line}.", duplicate=True
                        )
                yield parsed

    return [key for _, key in columns.variables], rows()


def summarise(path: Path) -> UploadSummary:
    """Read the whole file once for the preview: counts, first rows, first problems."""
    keys, rows = read_rows(path)
    summary = UploadSummary(variable_keys=keys)
    for row in rows:
        summary.total_rows += 1
        if isinstance(row, RowProblem):
            summary.add_problem(row)
        elif len(summary.preview) < PREVIEW_ROWS:
            summary.preview.append(row)
    if summary.total_rows == 0:
        raise UploadRefused("The file has a header row but no rows with phone numbers.")
    return summary
