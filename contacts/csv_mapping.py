"""What each column of an uploaded CSV means, and one row read through that meaning.

The one CSV row pipeline shared by the contacts import and campaign uploads:

    table = read_csv(fileobj)                                   # contacts.csv_import
    mapping = ColumnMapping(table.original_headers, roles, kind=KIND_CONTACTS)
    for row in table.rows():
        fields = mapping.read(row)      # MappedRow, or ValidationError saying why

Roles are guessed from the header names of real exports (Google Contacts, Outlook, CRMs),
several phone columns are ranked (mobile columns first, and a mobile number first within a
row), and the roles staff confirm are remembered per header layout (`ImportMapping`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from contacts.csv_import import CsvRow
from contacts.models import AustralianState, ImportMapping
from contacts.services import parse_tags
from voqo.dynamic_variables import RESERVED_VARIABLE_KEYS, variable_key
from voqo.phones import normalize_phone

KIND_CONTACTS = ImportMapping.Kind.CONTACTS
KIND_CAMPAIGN = ImportMapping.Kind.CAMPAIGN

IGNORE = "ignore"
NAME = "name"
GIVEN_NAME = "given_name"
FAMILY_NAME = "family_name"
MAX_PHONE_COLUMNS = 5
PHONE_ROLES = tuple(f"phone_{rank}" for rank in range(1, MAX_PHONE_COLUMNS + 1))
EMAIL = "email"
NOTES = "notes"
TAGS = "tags"
STATE = "state"
OPTED_OUT_AT = "opted_out_at"
OPTED_OUT_BY = "opted_out_by"
VARIABLE = "variable"

_ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")
ROLE_LABELS: dict[str, str] = {
    IGNORE: "Ignore this column",
    NAME: "Name (full)",
    GIVEN_NAME: "First name",
    FAMILY_NAME: "Last name",
    **{
        role: f"Phone ({ordinal} choice)"
        for role, ordinal in zip(PHONE_ROLES, _ORDINALS, strict=True)
    },
    EMAIL: "E-mail",
    NOTES: "Notes",
    TAGS: "Tags",
    STATE: "State (NSW, VIC, …)",
    OPTED_OUT_AT: "Opted out (date, or yes/no)",
    OPTED_OUT_BY: "Opted out by",
    VARIABLE: "Campaign variable",
}
_COMMON_ROLES = (NAME, GIVEN_NAME, FAMILY_NAME, *PHONE_ROLES, STATE)
KIND_ROLES = {
    KIND_CONTACTS: (*_COMMON_ROLES, EMAIL, NOTES, TAGS, OPTED_OUT_AT, OPTED_OUT_BY, IGNORE),
    KIND_CAMPAIGN: (*_COMMON_ROLES, VARIABLE, IGNORE),
}
# Roles several columns may share (their values are joined); every other role is one column.
SHARED_ROLES = frozenset({IGNORE, NOTES, TAGS, VARIABLE})

MAX_NAME_CHARS = 200

# Header words → role, on headers lower-cased with punctuation turned into spaces.
_EXACT_HEADERS = {
    NAME: {"name", "full name", "display name", "contact name", "contact", "file as"},
    GIVEN_NAME: {"given name", "first name", "firstname", "first", "forename"},
    FAMILY_NAME: {"family name", "last name", "lastname", "surname", "last"},
    NOTES: {"notes", "note", "comments", "comment"},
    TAGS: {"tags", "tag", "labels", "group membership", "groups", "categories"},
    STATE: {"state", "state territory", "au state"},
    OPTED_OUT_AT: {"opted out at", "opted out", "opt out", "opted out on", "do not call"},
    OPTED_OUT_BY: {"opted out by"},
}
_PHONE_WORDS = re.compile(
    r"\b(phone|mobile|mob|cell|cellphone|telephone|tel|ph|landline)\b|^(contact )?(number|no)$"
)
_NOT_A_PHONE = re.compile(r"\b(type|label|fax|pager|extension|ext|count|id)\b")
_MOBILE_WORDS = re.compile(r"\b(mobile|cell|cellphone)\b")
_PHONE_GROUPS = (  # rank order: mobiles, then the main number, then work, then home, then others
    _MOBILE_WORDS,
    re.compile(r"^(phone|phone number|number|telephone|tel|primary phone|phone 1 value)$"),
    re.compile(r"\b(business|work|company|office)\b"),
    re.compile(r"\bhome\b"),
)
_EMAIL_WORDS = re.compile(r"\be ?mail\b")


def simplify_header(header: str) -> str:
    """`E-mail 1 - Value` → `e mail 1 value`: lower case, punctuation as single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def _phone_rank(simple: str, position: int) -> tuple[int, int] | None:
    if not _PHONE_WORDS.search(simple) or _NOT_A_PHONE.search(simple):
        return None
    if _EMAIL_WORDS.search(simple):
        return None
    for group, pattern in enumerate(_PHONE_GROUPS):
        if pattern.search(simple):
            return group, position
    return len(_PHONE_GROUPS), position


def guess_roles(headers: list[str], *, kind: str) -> list[str]:
    """The role of each column, guessed from its header (unknown columns: ignore/variable)."""
    simple = [simplify_header(header) for header in headers]
    fallback = VARIABLE if kind == KIND_CAMPAIGN else IGNORE
    allowed = KIND_ROLES[kind]
    roles = [fallback] * len(headers)
    taken: set[str] = set()
    for index, name in enumerate(simple):
        for role, names in _EXACT_HEADERS.items():
            if role in allowed and name in names and (role in SHARED_ROLES or role not in taken):
                roles[index] = role
                taken.add(role)
                break
        else:
            if EMAIL in allowed and EMAIL not in taken and _EMAIL_WORDS.search(name):
                if not re.search(r"\b(type|label)\b", name):
                    roles[index] = EMAIL
                    taken.add(EMAIL)
    ranked = sorted(
        (rank, index)
        for index, name in enumerate(simple)
        if roles[index] == fallback and (rank := _phone_rank(name, index)) is not None
    )
    for role, (_, index) in zip(PHONE_ROLES, ranked, strict=False):
        roles[index] = role
    return roles


def headers_key(headers: list[str]) -> str:
    normalised = "\x1f".join(simplify_header(header) for header in headers)
    return hashlib.sha256(normalised.encode()).hexdigest()


def initial_roles(headers: list[str], *, kind: str, agency) -> tuple[list[str], bool]:
    """(roles, remembered): the roles `agency` chose last time for this layout, else guessed
    ones."""
    saved = (
        ImportMapping.objects.filter(agency=agency, kind=kind, headers_key=headers_key(headers))
        .values_list("roles", flat=True)
        .first()
    )
    allowed = KIND_ROLES[kind]
    if saved and len(saved) == len(headers) and all(role in allowed for role in saved):
        return list(saved), True
    return guess_roles(headers, kind=kind), False


def remember_roles(*, headers: list[str], roles: list[str], kind: str, agency) -> None:
    """Keep `roles` as `agency`'s mapping for files with these headers."""
    ImportMapping.objects.update_or_create(
        agency=agency,
        kind=kind,
        headers_key=headers_key(headers),
        defaults={"headers": list(headers), "roles": list(roles)},
    )


# --- Reading one value -------------------------------------------------------------------

_STATE_NAMES = {label.lower(): value for value, label in AustralianState.choices}


def read_state(raw: str) -> str:
    """`NSW`, `n.s.w.` or `New South Wales` → "NSW"; "" for empty; ValidationError otherwise."""
    text = raw.strip()
    if not text:
        return ""
    code = text.replace(".", "").replace(" ", "").upper()
    if code in AustralianState.values:
        return code
    found = _STATE_NAMES.get(" ".join(text.lower().split()))
    if found:
        return found
    raise ValidationError(
        f"“{raw}” is not an Australian state: use NSW, VIC, QLD, SA, WA, TAS, NT or ACT, "
        "or leave it empty."
    )


_YES = frozenset({"yes", "y", "true", "1", "x", "opted out", "unsubscribed", "stop"})
_NO = frozenset({"no", "n", "false", "0", "-"})
_LOCAL_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")


def read_opt_out(raw: str, *, now: datetime, zone: ZoneInfo) -> datetime | None:
    """When the person opted out: an ISO time (any offset), a local date, or yes → `now`.

    Times without an offset are in `zone`, the agency's (what a spreadsheet shows).
    """
    text = raw.strip()
    lowered = text.lower()
    if not text or lowered in _NO:
        return None
    if lowered in _YES:
        return now
    moment: datetime | None = None
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time())
    except ValueError:
        moment = None
    for pattern in _LOCAL_FORMATS:
        if moment is not None:
            break
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
    if moment is None:
        raise ValidationError(
            f"“{raw}” in the opted-out column is neither a date nor yes/no "
            "(e.g. 2026-03-01T09:30:00+11:00, 1/3/2026 or yes)."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zone)
    return moment


def read_email(raw: str) -> str:
    # Google Contacts puts several addresses in one cell, separated by " ::: ".
    first = raw.split(":::")[0].strip()
    if not first:
        return ""
    try:
        validate_email(first)
    except ValidationError:
        raise ValidationError(f"“{first}” is not an e-mail address.") from None
    return first


def read_tags(raw: str) -> list[str]:
    """Tags from a tags cell; Google's `* myContacts ::: Buyers` gives ["Buyers"]."""
    tags = []
    for tag in parse_tags(raw.replace(":::", ",")):
        tag = tag.lstrip("* ").strip()
        if tag and tag.lower() not in ("mycontacts", "starred"):
            tags.append(tag)
    return tags


# --- The mapping ---------------------------------------------------------------------


@dataclass(slots=True)
class MappedRow:
    """One CSV row as contact fields (and campaign variables)."""

    line: int
    phone: str
    name: str = ""
    email: str = ""
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    state: str = ""
    opted_out_at: datetime | None = None
    opted_out_by: str = ""
    variables: dict[str, str] = field(default_factory=dict)


class ColumnMapping:
    """The role of every column of one file; `errors` lists what makes it unusable."""

    def __init__(
        self,
        headers: list[str],
        roles: list[str],
        *,
        kind: str,
        callable_only: bool = False,
    ) -> None:
        self.headers = headers
        self.roles = roles
        self.kind = kind
        self.callable_only = callable_only
        self.errors = self._check()
        self.phone_columns = [
            index
            for role in PHONE_ROLES
            for index, column_role in enumerate(roles)
            if column_role == role
        ]
        self._single = {
            role: index
            for index, role in enumerate(roles)
            if role not in SHARED_ROLES and role not in PHONE_ROLES
        }
        self._name_column = self._single.get(NAME)
        self._name_columns = tuple(self._single.get(role) for role in (GIVEN_NAME, FAMILY_NAME))
        self._state_column = self._single.get(STATE)
        # Read once per file, not per row (a settings lookup costs as much as the fast path).
        self._phone_region = settings.PHONE_DEFAULT_REGION
        self.notes_columns = [i for i, role in enumerate(roles) if role == NOTES]
        self.tags_columns = [i for i, role in enumerate(roles) if role == TAGS]
        self.variables = self._variable_columns()

    @property
    def signature(self) -> str:
        """Identifies these roles: a preview shown for one mapping never confirms another."""
        return hashlib.sha256("\x1f".join(self.roles).encode()).hexdigest()[:16]

    @property
    def variable_keys(self) -> list[str]:
        return [key for _, key in self.variables]

    def _label(self, index: int) -> str:
        return f"“{self.headers[index] or f'column {index + 1}'}”"

    def _check(self) -> list[str]:
        errors = []
        allowed = KIND_ROLES[self.kind]
        if len(self.roles) != len(self.headers) or any(r not in allowed for r in self.roles):
            return ["Choose what each column holds."]
        if not any(role in PHONE_ROLES for role in self.roles):
            errors.append("Choose the column that holds the phone numbers (Phone, 1st choice).")
        for role in dict.fromkeys(self.roles):
            columns = [i for i, r in enumerate(self.roles) if r == role]
            if role not in SHARED_ROLES and len(columns) > 1:
                names = " and ".join(self._label(i) for i in columns)
                errors.append(f"{names} are both mapped to {ROLE_LABELS[role]}: choose one.")
        return errors

    def _variable_columns(self) -> list[tuple[int, str]]:
        used = set(RESERVED_VARIABLE_KEYS)
        columns = []
        for index, role in enumerate(self.roles):
            if role != VARIABLE:
                continue
            key = variable_key(self.headers[index]) or f"column_{index + 1}"
            unique, n = key, 2
            while unique in used:
                unique, n = f"{key}_{n}", n + 1
            used.add(unique)
            columns.append((index, unique))
        return columns

    def _cell(self, cells: tuple[str, ...], role: str) -> str:
        index = self._single.get(role)
        return cells[index] if index is not None else ""

    def _phone(self, cells: tuple[str, ...]) -> tuple[str, list[tuple[int, str]]]:
        """The row's number (first mobile, else first valid, in rank order) and the others."""
        if len(self.phone_columns) == 1:  # the common case, kept lean for 100k-row files
            raw = cells[self.phone_columns[0]]
            if not raw:
                raise ValidationError("No phone number.")
            return normalize_phone(
                raw, region=self._phone_region, callable_only=self.callable_only
            ), []
        valid: list[tuple[int, str]] = []
        first_error: ValidationError | None = None
        for index in self.phone_columns:
            raw = cells[index]
            if not raw:
                continue
            try:
                phone = normalize_phone(
                    raw, region=self._phone_region, callable_only=self.callable_only
                )
            except ValidationError as error:
                first_error = first_error or error
                continue
            if all(phone != known for _, known in valid):
                valid.append((index, phone))
        if not valid:
            raise first_error or ValidationError("No phone number.")
        chosen = next((item for item in valid if item[1].startswith("+614")), valid[0])
        return chosen[1], [item for item in valid if item is not chosen]

    def _common(self, row: CsvRow) -> tuple[str, list[tuple[int, str]], str, str]:
        """(phone, other phones, name, state) of any row, or ValidationError."""
        if row.error:
            raise ValidationError(row.error)
        cells = row.cells
        phone, other_phones = self._phone(cells)
        name = (cells[self._name_column] if self._name_column is not None else "") or " ".join(
            [cells[index] for index in self._name_columns if index is not None and cells[index]]
        )
        if len(name) > MAX_NAME_CHARS:
            raise ValidationError(f"The name is longer than {MAX_NAME_CHARS} characters.")
        state = self._state_column
        return phone, other_phones, name, read_state(cells[state]) if state is not None else ""

    def read_campaign(self, row: CsvRow) -> tuple[str, str, str, dict[str, str]]:
        """(phone, name, state, variables) of a campaign row: `read()` without building a
        MappedRow, for 100k-row uploads. ValidationError with the reason."""
        phone, _, name, state = self._common(row)
        cells = row.cells
        return phone, name, state, {key: cells[index] for index, key in self.variables}

    def read(
        self, row: CsvRow, *, now: datetime | None = None, zone: ZoneInfo | None = None
    ) -> MappedRow:
        """The row's fields, or ValidationError with the reason (for its line). Contact
        rows need `zone` (the agency's) for opt-out times written without an offset."""
        if self.kind == KIND_CAMPAIGN:
            phone, name, state, variables = self.read_campaign(row)
            return MappedRow(row.line_number, phone, name, state=state, variables=variables)
        phone, other_phones, name, state = self._common(row)
        mapped = MappedRow(line=row.line_number, phone=phone, name=name, state=state)
        cells = row.cells
        mapped.email = read_email(self._cell(cells, EMAIL))
        mapped.tags = read_tags(", ".join(cells[i] for i in self.tags_columns if cells[i]))
        notes = [(i, cells[i]) for i in self.notes_columns if cells[i]]
        if len(notes) == 1:
            lines = [notes[0][1]]
        else:
            lines = [f"{self.headers[i]}: {value}" for i, value in notes]
        lines += [f"Other phone ({self.headers[i]}): {phone}" for i, phone in other_phones]
        mapped.notes = "\n".join(lines)
        if zone is None:
            raise TypeError("Reading a contact row needs the agency's zone.")
        mapped.opted_out_at = read_opt_out(
            self._cell(cells, OPTED_OUT_AT), now=now or timezone.now(), zone=zone
        )
        if mapped.opted_out_at is not None:
            mapped.opted_out_by = (self._cell(cells, OPTED_OUT_BY) or "CSV import")[:150]
        return mapped


def column_samples(
    rows: Generator[CsvRow], width: int, *, limit: int = 3, scan: int = 50
) -> list[list[str]]:
    """Up to `limit` distinct non-empty example values per column, from the first rows."""
    samples: list[list[str]] = [[] for _ in range(width)]
    try:
        for count, row in enumerate(rows):
            if count >= scan:
                break
            for index, cell in enumerate(row.cells):
                if cell and len(samples[index]) < limit and cell not in samples[index]:
                    samples[index].append(cell[:40])
    finally:
        rows.close()  # release the file now, not when the generator is collected
    return samples
