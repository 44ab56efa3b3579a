"""Listings from a CSV: the contacts import's column-mapping flow with listing roles.

The file is read by the one CSV reader (`contacts.csv_import`), each column is given a role
(guessed from its header, remembered per header layout), and each row becomes a listing
record applied like a REAXML record (a CSV row is a whole listing, stamped "now").
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from contacts.csv_import import CsvRow
from contacts.csv_mapping import headers_key, simplify_header
from contacts.models import ImportMapping
from listings import reaxml
from listings.reaxml import ListingRecord
from voqo.pending_files import PendingFiles

# Uploaded CSV files waiting for their column mapping and confirmation.
PENDING_IMPORTS = PendingFiles("imports", "listings")

KIND = ImportMapping.Kind.LISTINGS
IGNORE = "ignore"
ROLE_LABELS: dict[str, str] = {
    "unique_id": "Listing id (unique)",
    "street_address": "Street address",
    "suburb": "Suburb",
    "state": "State",
    "postcode": "Postcode",
    "listing_type": "Sale or rent",
    "status": "Status",
    "category": "Category (House, Unit, …)",
    "headline": "Headline",
    "description": "Description",
    "price": "Price (number)",
    "price_text": "Price text (as advertised)",
    "rent": "Rent per week",
    "date_available": "Date available",
    "bedrooms": "Bedrooms",
    "bathrooms": "Bathrooms",
    "car_spaces": "Car spaces",
    "land_size": "Land size (m²)",
    "inspections": "Inspection times",
    "agent_name": "Listing agent",
    "agent_phone": "Agent phone",
    "agent_email": "Agent e-mail",
    "link": "Link",
    IGNORE: "Ignore this column",
}
ROLES = tuple(ROLE_LABELS)
REQUIRED = ("unique_id", "suburb")
_GUESSES = {
    "unique_id": {"id", "listing id", "unique id", "uniqueid", "property id", "ref", "reference"},
    "street_address": {"address", "street address", "street", "address line 1"},
    "suburb": {"suburb", "locality", "town", "city"},
    "state": {"state"},
    "postcode": {"postcode", "post code", "postal code", "zip"},
    "listing_type": {"type", "listing type", "sale or rent", "for"},
    "status": {"status", "listing status"},
    "category": {"category", "property type", "property category"},
    "headline": {"headline", "title"},
    "description": {"description", "details"},
    "price": {"price", "search price", "asking price"},
    "price_text": {"price text", "price view", "display price", "price guide"},
    "rent": {"rent", "weekly rent", "rent per week", "rent pw"},
    "date_available": {"date available", "available", "available from"},
    "bedrooms": {"bedrooms", "beds", "bed"},
    "bathrooms": {"bathrooms", "baths", "bath"},
    "car_spaces": {"car spaces", "cars", "car", "parking", "garages"},
    "land_size": {"land size", "land area", "land", "land m2"},
    "inspections": {"inspections", "inspection times", "open homes", "open for inspection"},
    "agent_name": {"agent", "listing agent", "agent name"},
    "agent_phone": {"agent phone", "agent mobile", "phone", "mobile"},
    "agent_email": {"agent email", "agent e mail", "email"},
    "link": {"link", "url", "web link", "listing url"},
}
_STATUSES = {
    "current": "current",
    "active": "current",
    "available": "current",
    "under offer": "under_offer",
    "sold": "sold",
    "leased": "leased",
    "withdrawn": "withdrawn",
    "off market": "off_market",
    "offmarket": "off_market",
    "deleted": "deleted",
}


def guess_roles(headers: list[str]) -> list[str]:
    roles, taken = [], set()
    for header in headers:
        simple = simplify_header(header)
        role = next(
            (r for r, names in _GUESSES.items() if simple in names and r not in taken), IGNORE
        )
        if role != IGNORE:
            taken.add(role)
        roles.append(role)
    return roles


def initial_roles(headers: list[str], *, agency) -> tuple[list[str], bool]:
    """(roles, remembered): the roles chosen last time for this layout, else guessed ones."""
    saved = (
        ImportMapping.objects.filter(agency=agency, kind=KIND, headers_key=headers_key(headers))
        .values_list("roles", flat=True)
        .first()
    )
    if saved and len(saved) == len(headers) and all(role in ROLES for role in saved):
        return list(saved), True
    return guess_roles(headers), False


def remember_roles(*, headers: list[str], roles: list[str], agency) -> None:
    ImportMapping.objects.update_or_create(
        agency=agency,
        kind=KIND,
        headers_key=headers_key(headers),
        defaults={"headers": list(headers), "roles": list(roles)},
    )


class ListingColumnMapping:
    """The role of every column of one listings CSV; `errors` lists what makes it unusable."""

    def __init__(self, headers: list[str], roles: list[str], *, zone: ZoneInfo) -> None:
        self.headers, self.roles, self.zone = headers, roles, zone
        self.errors = self._check()
        self.column = {role: i for i, role in enumerate(roles) if role != IGNORE}

    @property
    def signature(self) -> str:
        return hashlib.sha256("\x1f".join(self.roles).encode()).hexdigest()[:16]

    def _check(self) -> list[str]:
        if len(self.roles) != len(self.headers) or any(r not in ROLES for r in self.roles):
            return ["Choose what each column holds."]
        errors = [
            f"Choose the column that holds the {ROLE_LABELS[role].lower()}."
            for role in REQUIRED
            if role not in self.roles
        ]
        for role in dict.fromkeys(self.roles):
            columns = [
                self.headers[i] or f"column {i + 1}" for i, r in enumerate(self.roles) if r == role
            ]
            if role != IGNORE and len(columns) > 1:
                names = " and ".join(f"“{name}”" for name in columns)
                errors.append(f"{names} are both mapped to {ROLE_LABELS[role]}: choose one.")
        return errors

    def _cell(self, cells: tuple[str, ...], role: str) -> str | None:
        index = self.column.get(role)
        return None if index is None else cells[index].strip()

    def read(self, row: CsvRow, *, now: datetime | None = None) -> ListingRecord:
        """The row as a listing record (a rejected one says why)."""
        now = now or timezone.now()
        if row.error:
            return ListingRecord(
                "residential", "", "", "", now, rejection=row.error, line=row.line_number
            )
        cells = row.cells
        unique_id = self._cell(cells, "unique_id") or ""
        kind_cell = (self._cell(cells, "listing_type") or "").lower()
        kind = "rental" if kind_cell in ("rent", "rental", "lease", "for rent") else "residential"
        if kind_cell in reaxml.KINDS:
            kind = kind_cell
        raw_status = (self._cell(cells, "status") or "current").lower()
        status = _STATUSES.get(" ".join(raw_status.replace("_", " ").split()), "")
        record = ListingRecord(kind, "", unique_id, status, now, line=row.line_number)
        if not unique_id:
            record.rejection = "No listing id."
            return record
        if len(unique_id) > reaxml.MAX_UNIQUE_ID:
            record.rejection = f"The listing id is longer than {reaxml.MAX_UNIQUE_ID} characters."
            return record
        if not status:
            record.rejection = (
                f"The status “{raw_status}” is not one of current, under offer, sold, leased, "
                "withdrawn, off market or deleted."
            )
            return record
        fields = record.fields
        if status == "under_offer":
            fields["status"] = status
            record.status = "current"
        for role in (
            "street_address",
            "suburb",
            "category",
            "headline",
            "description",
            "price_text",
            "agent_name",
            "agent_phone",
            "agent_email",
        ):
            value = self._cell(cells, role)
            if value is not None:
                fields[role] = value
        if (state := self._cell(cells, "state")) is not None:
            fields["state"] = state.upper()[:8]
        if (postcode := self._cell(cells, "postcode")) is not None:
            fields["postcode"] = postcode[:8]
        if (price := self._cell(cells, "price")) is not None:
            fields["price"] = reaxml.read_amount(price)
        if (rent := self._cell(cells, "rent")) is not None:
            fields["rent_per_week"] = reaxml.read_amount(rent)
        for role in ("bedrooms", "bathrooms", "car_spaces"):
            if (value := self._cell(cells, role)) is not None:
                fields[role] = reaxml.read_count(value)
        if (land := self._cell(cells, "land_size")) is not None:
            fields["land_size"] = reaxml.read_amount(land)
            fields["land_unit"] = "squareMeter" if fields["land_size"] else ""
        if (available := self._cell(cells, "date_available")) is not None:
            moment = reaxml.read_datetime(available, zone=self.zone)
            fields["date_available"] = moment.date() if moment else None
            if available and moment is None:
                record.warnings.append(f"Date available “{available}” is not a date: ignored.")
        if (link := self._cell(cells, "link")) is not None:
            fields["link"] = link if link.lower().startswith(("http://", "https://")) else ""
        if (inspections := self._cell(cells, "inspections")) is not None:
            times = []
            for raw in filter(None, (part.strip() for part in inspections.split(";"))):
                found = reaxml.read_inspection(raw, zone=self.zone)
                if found is None:
                    record.warnings.append(
                        f"Skipped an inspection time that is not like “21-Dec-2026 11:00am to "
                        f"11:30am”: “{raw}”."
                    )
                else:
                    times.append([found[0].isoformat(), found[1].isoformat()])
            fields["inspections"] = sorted(times)
        for name, limit in (
            ("street_address", 200),
            ("suburb", 80),
            ("category", 60),
            ("headline", 200),
            ("price_text", 100),
            ("agent_name", 120),
            ("agent_phone", 40),
            ("agent_email", 254),
            ("link", 500),
        ):
            if name in fields and isinstance(fields[name], str):
                fields[name] = fields[name][:limit]
        if not fields.get("suburb"):
            record.rejection = "No suburb."
        return record


def read_listing_rows(fileobj, *, mapping: ListingColumnMapping) -> reaxml.ParsedFile:
    """Every row of a listings CSV as a record (CsvRejected when the file is unreadable)."""
    from contacts.csv_import import read_csv

    table = read_csv(fileobj)
    now = timezone.now()
    return reaxml.ParsedFile(
        records=[mapping.read(row, now=now) for row in table.rows()], warnings=[]
    )
