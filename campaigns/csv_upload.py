"""Reading a campaign CSV: streamed from disk, row by row, never whole in memory.

Rules (PRODUCT.md §9, PITFALLS.md "Phones and CSV"): a header row; the columns mapped by
staff (contacts.csv_mapping: phone columns ranked, name or first/last name, state) and every
other column a campaign variable (`{{suburb}}`) unless ignored. Decoding, separators, blank
rows, trimming, line numbers, quotes and the refusal of spreadsheets/NUL bytes come from the
one CSV reader (`contacts.csv_import`), each row from the one row pipeline
(`ColumnMapping.read`, shared with the contacts import); this module adds what a campaign
needs: phones normalised for calling, duplicates within the file flagged, and the row/size
limits below refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from contacts.csv_import import CsvRejected, CsvRow, CsvTable, read_csv
from contacts.csv_mapping import KIND_CAMPAIGN, ColumnMapping, column_samples, initial_roles
from voqo.calling_window import region_for_phone

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 50
MAX_FIELD_CHARS = 1000
MAX_STORED_ERRORS = 200
PREVIEW_ROWS = 10

LIMITS_HELP = (
    f"CSV up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, {MAX_ROWS:,} rows, {MAX_COLUMNS} columns "
    f"and {MAX_FIELD_CHARS:,} characters per cell, separated by commas, semicolons or tabs. "
    "Next you choose the phone column(s), the name and optionally the state (NSW, VIC, QLD, SA, "
    "WA, TAS, NT, ACT: a mobile then gets that state's calling hours); every other column "
    "becomes a campaign variable an agent's prompt or greeting can use, e.g. a “Suburb” column "
    "as {{suburb}}."
)


class UploadRefused(Exception):
    """The whole file is refused; `message` says why in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class ParsedRow:
    line: int
    phone: str
    name: str
    variables: dict[str, str]
    region: str
    state: str = ""  # the contact's Australian state, when the upload has a state column


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


def campaign_mapping(table: CsvTable, roles: list[str] | None, *, agency) -> ColumnMapping:
    """The mapping of an upload: `roles`, or the ones `agency` used for these headers last
    time, or guessed ones."""
    if len(table.headers) > MAX_COLUMNS:
        raise UploadRefused(
            f"The file has {len(table.headers)} columns; the limit is {MAX_COLUMNS}. Remove the "
            "columns the agent does not need."
        )
    if roles is None:
        roles, _remembered = initial_roles(
            table.original_headers, kind=KIND_CAMPAIGN, agency=agency
        )
    return ColumnMapping(table.original_headers, roles, kind=KIND_CAMPAIGN, callable_only=True)


def upload_headers(path: Path) -> list[str]:
    """The header row of a stored upload, as written in the file."""
    with open(path, "rb") as handle:
        try:
            return read_csv(handle, max_bytes=MAX_UPLOAD_BYTES).original_headers
        except CsvRejected as error:
            raise UploadRefused(error.message) from None


def describe_upload(path: Path, *, agency) -> tuple[list[str], list[list[str]], list[str], bool]:
    """(headers, example values per column, initial roles, remembered) for the mapping form."""
    with open(path, "rb") as handle:
        try:
            table = read_csv(handle, max_bytes=MAX_UPLOAD_BYTES)
            campaign_mapping(table, [], agency=agency)  # the column limit
            samples = column_samples(table.rows(), len(table.headers))
        except CsvRejected as error:
            raise UploadRefused(error.message) from None
    roles, remembered = initial_roles(table.original_headers, kind=KIND_CAMPAIGN, agency=agency)
    return table.original_headers, samples, roles, remembered


def _parse_row(row: CsvRow, mapping: ColumnMapping) -> ParsedRow | RowProblem:
    try:
        phone, name, state, variables = mapping.read_campaign(row)
    except ValidationError as error:
        return RowProblem(row.line_number, " ".join(error.messages))
    return ParsedRow(row.line_number, phone, name, variables, region_for_phone(phone, state), state)


def read_rows(
    path: Path, roles: list[str] | None = None, *, agency
) -> tuple[list[str], Iterator[ParsedRow | RowProblem]]:
    """(variable keys, iterator of ParsedRow | RowProblem) in file order, streamed from disk.

    `roles` says what each column holds (default: `agency`'s remembered mapping or guessed
    from the headers).
    A phone seen on an earlier line is a duplicate problem. Raises UploadRefused for
    whole-file problems (also while iterating: too many rows, a quote never closed).
    """
    handle = open(path, "rb")
    try:
        table = read_csv(handle, max_bytes=MAX_UPLOAD_BYTES, max_field_chars=MAX_FIELD_CHARS)
        mapping = campaign_mapping(table, roles, agency=agency)
        if mapping.errors:
            raise UploadRefused(" ".join(mapping.errors))
    except CsvRejected as error:
        handle.close()
        raise UploadRefused(error.message) from None
    except UploadRefused:
        handle.close()
        raise

    def rows() -> Iterator[ParsedRow | RowProblem]:
        seen: dict[str, int] = {}  # phone → first line (E.164 strings: ~10 MB at 100k rows)
        with handle:
            try:
                for count, row in enumerate(table.rows(), start=1):
                    if count > MAX_ROWS:
                        limit = f"The file has more than {MAX_ROWS:,} rows."
                        raise UploadRefused(f"{limit} Split it into smaller files.")
                    parsed = _parse_row(row, mapping)
                    if isinstance(parsed, ParsedRow):
                        first_line = seen.setdefault(parsed.phone, parsed.line)
                        if first_line != parsed.line:
                            parsed = RowProblem(
                                parsed.line, f"Duplicate of line {first_line}.", duplicate=True
                            )
                    yield parsed
            except CsvRejected as error:
                raise UploadRefused(error.message) from None

    return mapping.variable_keys, rows()


def summarise(path: Path, roles: list[str] | None = None, *, agency) -> UploadSummary:
    """Read the whole file once for the preview: counts, first rows, first problems."""
    keys, rows = read_rows(path, roles, agency=agency)
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
