"""Reading REAXML (REA's property feed format) into plain records; no database here.

Facts from the format notes (../shared/reference/reaxml.md) this module honours:
- parsed with defusedxml: the DOCTYPE's DTD is never fetched, and any entity declaration
  (billion laughs, external entities) refuses the whole file, unresolved;
- UTF-8 (with or without BOM) and declared encodings such as ISO-8859-1 are read by the
  parser; an undeclared Latin-1/Windows-1252 file is read again as Windows-1252; C0 control
  characters are stripped on a second attempt, with a warning;
- files are deltas and records partial: a record carries only the fields whose elements are
  present (`fields`), so an update never wipes what it does not mention;
- a listing element may be the document element (a fragment); unknown siblings are skipped;
- dates have many forms and no zone (agency-local); bad ones become warnings, except a
  missing or unreadable modTime, which rejects the record.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.ElementTree import fromstring

KINDS = (
    "residential",
    "rental",
    "land",
    "rural",
    "commercial",
    "commercialLand",
    "business",
    "holidayRental",
)
STATUSES = {
    "current": "current",
    "cur": "current",
    "sold": "sold",
    "sld": "sold",
    "leased": "leased",
    "lse": "leased",
    "withdrawn": "withdrawn",
    "wdr": "withdrawn",
    "offmarket": "off_market",
    "off": "off_market",
    "deleted": "deleted",
    "del": "deleted",
}
MAX_UNIQUE_ID = 50
_CONTROL_CHARS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_TAGS = re.compile(r"<[^>]{0,500}>")
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\b[^>]{0,200}>", re.IGNORECASE)


class ReaxmlError(ValueError):
    """The whole file cannot be read; `message` says why (with a line number when known)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ListingRecord:
    """One listing element: identity, status and the fields its present elements give."""

    kind: str
    agent_code: str
    unique_id: str
    status: str  # one of Listing.Status values; "" when the record is rejected
    mod_time: datetime | None
    fields: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rejection: str = ""  # why the record cannot be applied ("" when it can)
    line: int = 0  # a CSV row's line (REAXML elements have none)

    @property
    def label(self) -> str:
        if self.line:
            return f"Line {self.line}" + (f" ({self.unique_id})" if self.unique_id else "")
        return self.unique_id or f"(a {self.kind} listing without a uniqueID)"


@dataclass
class ParsedFile:
    records: list[ListingRecord]
    warnings: list[str]


# -- the document ------------------------------------------------------------------------


def parse(content: bytes, *, zone: ZoneInfo) -> ParsedFile:
    """Every listing record of a REAXML document, in file order. Raises ReaxmlError."""
    warnings: list[str] = []
    root = _parse_document(content, warnings)
    if root.tag in KINDS:
        elements = [root]  # a single listing as the document element
    elif root.tag == "propertyList":
        elements = []
        for child in root:
            if child.tag in KINDS:
                elements.append(child)
            elif isinstance(child.tag, str):
                warnings.append(f"Skipped an unknown element <{child.tag}> under propertyList.")
    else:
        raise ReaxmlError(
            f"This is not a REAXML file: the document element is <{root.tag}>, not <propertyList>."
        )
    return ParsedFile(
        records=[read_listing(element, zone=zone) for element in elements], warnings=warnings
    )


def _parse_document(content: bytes, warnings: list[str]) -> ET.Element:
    if not content.strip():
        raise ReaxmlError("The file is empty.")
    try:
        return _defused(content)
    except ET.ParseError as error:
        first_error = error
    retry = content
    if _XML_DECLARATION.match(content) is None and not content.startswith(b"\xef\xbb\xbf"):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            # No declaration and not UTF-8: an export in Windows-1252 / Latin-1.
            retry = content.decode("cp1252", errors="replace").encode("utf-8")
            warnings.append("The file is not UTF-8 and declares no encoding: read as Latin-1.")
    if _CONTROL_CHARS.search(retry):
        retry = _CONTROL_CHARS.sub(b"", retry)
        warnings.append("Removed control characters that XML does not allow.")
    if retry is not content:
        try:
            return _defused(retry)
        except ET.ParseError:
            pass
    raise ReaxmlError(_describe(first_error)) from None


def _defused(content: bytes) -> ET.Element:
    try:
        # forbid_dtd=False: nearly every feed has a DOCTYPE line; expat never fetches it.
        return fromstring(content, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden:
        raise ReaxmlError(
            "The file declares XML entities, which REAXML never needs: refused without "
            "expanding or fetching them."
        ) from None
    except DefusedXmlException:
        raise ReaxmlError(
            "The file refers to external resources (an external entity or DTD subset): "
            "refused without fetching them."
        ) from None


def _describe(error: ET.ParseError) -> str:
    line, column = getattr(error, "position", (0, 0))
    reason = str(error).split(":", 1)[0]
    return f"The file is not well-formed XML: line {line}, column {column + 1}: {reason}."


# -- one listing ------------------------------------------------------------------------


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _child_text(parent: ET.Element, tag: str) -> str | None:
    """The trimmed text of `parent/tag`, "" when empty, None when the element is absent."""
    child = parent.find(tag)
    return None if child is None else _text(child)


def read_yes_no(value: str | None, default: bool = True) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("no", "0", "false")


def read_amount(raw: str | None) -> Decimal | None:
    """`1300000.00`, `$1,300,000` → Decimal; empty, 0 or text (POA) → None."""
    if raw is None:
        return None
    cleaned = raw.replace("$", "").replace(",", "").strip()
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount > 0 and amount.is_finite() else None


def read_count(raw: str | None) -> int | None:
    """Feature counts: whole numbers; yes/true count 1; `Studio` bedrooms 0."""
    if raw is None:
        return None
    value = raw.strip().lower()
    if value in ("yes", "true"):
        return 1
    if value in ("", "no", "false", "studio"):
        return 0
    try:
        number = int(Decimal(value))
    except (InvalidOperation, ValueError):
        return None
    return number if 0 <= number < 100 else None


_DATE_FORMATS = (
    "%Y-%m-%d-%H:%M:%S",
    "%Y-%m-%d-%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d-%I:%M:%S%p",
    "%Y%m%d-%H%M%S",
    "%Y%m%d-%H%M",
    "%Y%m%dT%H%M%S",
    "%Y%m%dT%H%M",
    "%Y-%m-%d",
    "%Y%m%d",
)


def read_datetime(raw: str | None, *, zone: ZoneInfo) -> datetime | None:
    """One of REAXML's date(-time) forms in agency-local time; None for zero dates or junk."""
    if not raw:
        return None
    text = raw.strip()
    if not text or text.startswith("0000"):
        return None
    for pattern in _DATE_FORMATS:
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=zone)
    return None


_INSPECTION = re.compile(
    r"^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2})\s*([ap]m)\s+to\s+"
    r"(\d{1,2}):(\d{2})\s*([ap]m)\s*$",
    re.IGNORECASE,
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _clock(hour: str, minute: str, meridiem: str) -> time:
    value = int(hour) % 12 + (12 if meridiem.lower() == "pm" else 0)
    return time(value, int(minute))


def read_inspection(raw: str, *, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """`21-Dec-2026 11:00am to 11:30am` → (start, end) in agency time; None if unreadable."""
    match = _INSPECTION.match(raw)
    if not match:
        return None
    day, month, year, h1, m1, p1, h2, m2, p2 = match.groups()
    month_number = _MONTHS.get(month.lower())
    if month_number is None or int(h1) > 12 or int(h2) > 12:
        return None
    try:
        on = date(int(year), month_number, int(day))
        start = datetime.combine(on, _clock(h1, m1, p1), tzinfo=zone)
        end = datetime.combine(on, _clock(h2, m2, p2), tzinfo=zone)
    except ValueError:
        return None
    if end <= start:
        end = start + timedelta(minutes=30)
    return start, end


def _street_line(address: ET.Element) -> str:
    sub = _child_text(address, "subNumber") or ""
    lot = _child_text(address, "lotNumber") or ""
    number = _child_text(address, "streetNumber") or ""
    street = _child_text(address, "street") or ""
    if sub and "/" not in number:
        number = f"{sub}/{number}" if number else sub
    if lot and not number:
        number = f"Lot {lot}"
    return " ".join(part for part in (number, street) if part)


def _category(element: ET.Element) -> str | None:
    for tag in (
        "category",
        "landCategory",
        "ruralCategory",
        "holidayCategory",
        "commercialCategory",
        "businessCategory",
    ):
        found = element.find(tag)
        if found is not None:
            name = found.get("name") or _text(found.find("name")) or _text(found)
            return name.strip()
    return None


def read_listing(element: ET.Element, *, zone: ZoneInfo) -> ListingRecord:
    """One listing element as a record of only the fields it carries."""
    kind = element.tag
    agent_code = (_child_text(element, "agentID") or element.get("agentID") or "").strip()
    unique_id = (_child_text(element, "uniqueID") or element.get("uniqueID") or "").strip()
    raw_status = (element.get("status") or "").strip()
    record = ListingRecord(
        kind=kind,
        agent_code=agent_code[:50],
        unique_id=unique_id,
        status=STATUSES.get(raw_status.lower(), ""),
        mod_time=read_datetime(element.get("modTime"), zone=zone),
    )
    if not unique_id:
        record.rejection = "It has no uniqueID."
    elif len(unique_id) > MAX_UNIQUE_ID:
        record.rejection = f"Its uniqueID is longer than {MAX_UNIQUE_ID} characters."
    elif not record.status:
        shown = raw_status or "(none)"
        record.rejection = (
            f"Its status “{shown}” is not one REAXML defines (current, sold, leased, "
            "withdrawn, offmarket, deleted): neither published nor removed."
        )
    elif record.mod_time is None:
        shown = element.get("modTime") or "(none)"
        record.rejection = f"Its modTime “{shown}” is missing or not a date."
    if record.rejection:
        return record
    _read_fields(element, record, zone=zone)
    return record


def _read_fields(element: ET.Element, record: ListingRecord, *, zone: ZoneInfo) -> None:
    fields = record.fields
    under_offer = element.find("underOffer")
    if record.status == "current" and under_offer is not None:
        fields["status"] = (
            "under_offer" if read_yes_no(under_offer.get("value"), default=False) else "current"
        )
    for tag, name, limit in (("headline", "headline", 200), ("priceView", "price_text", 100)):
        value = _child_text(element, tag)
        if value is not None:
            fields[name] = value[:limit]
    description = element.find("description")
    if description is not None:
        # REA strips HTML tags from descriptions; so do we. Line breaks are kept.
        # CDATA text stays literal (an "&amp;" in it is what the agent typed).
        text = _TAGS.sub("", _BLOCK_TAGS.sub("\n", "".join(description.itertext())))
        fields["description"] = "\n".join(" ".join(line.split()) for line in text.splitlines())
        fields["description"] = fields["description"].strip()
    price = element.find("price")
    if price is not None:
        fields["price"] = read_amount(_text(price))
        fields["price_display"] = read_yes_no(price.get("display"))
    address = element.find("address")
    if address is not None:
        fields["street_address"] = _street_line(address)[:200]
        fields["address_display"] = read_yes_no(address.get("display"))
        suburb = address.find("suburb")
        if suburb is not None:
            fields["suburb"] = _text(suburb)[:80]
            if not read_yes_no(suburb.get("display")):
                fields["address_display"] = False
        state = _child_text(address, "state")
        if state is not None:
            fields["state"] = state.upper()[:8]
        postcode = _child_text(address, "postcode")
        if postcode is not None:
            fields["postcode"] = postcode[:8]
    category = _category(element)
    if category is not None:
        fields["category"] = category[:60]
    features = element.find("features")
    if features is not None:
        for tag, name in (("bedrooms", "bedrooms"), ("bathrooms", "bathrooms")):
            value = _child_text(features, tag)
            if value is not None:
                fields[name] = read_count(value)
        cars = [_child_text(features, tag) for tag in ("garages", "carports", "openSpaces")]
        if any(value is not None for value in cars):
            fields["car_spaces"] = sum(read_count(value) or 0 for value in cars)
    area = element.find("landDetails/area")
    if area is not None:
        fields["land_size"] = read_amount(_text(area))
        fields["land_unit"] = (area.get("unit") or "")[:16] if fields["land_size"] else ""
    inspections = element.find("inspectionTimes")
    if inspections is not None:
        times = []
        for row in inspections.findall("inspection"):
            raw = _text(row)
            if not raw:
                continue
            found = read_inspection(raw, zone=zone)
            if found is None:
                record.warnings.append(f"Skipped an inspection time that is not a date: “{raw}”.")
                continue
            times.append([found[0].isoformat(), found[1].isoformat()])
        fields["inspections"] = sorted(times)
    rents = element.findall("rent")
    if rents:
        fields["rent_per_week"] = _weekly_rent(rents)
        fields["price_display"] = all(read_yes_no(rent.get("display")) for rent in rents)
    available = _child_text(element, "dateAvailable")
    if available is not None:
        moment = read_datetime(available, zone=zone)
        fields["date_available"] = moment.date() if moment else None
        if available and moment is None:
            record.warnings.append(f"dateAvailable “{available}” is not a date: ignored.")
    sold = element.find("soldDetails")
    if sold is not None:
        amount = sold.find("price") if sold.find("price") is not None else sold.find("soldPrice")
        when = sold.find("date") if sold.find("date") is not None else sold.find("soldDate")
        fields["sold_price"] = read_amount(_text(amount)) if amount is not None else None
        moment = read_datetime(_text(when), zone=zone) if when is not None else None
        fields["sold_date"] = moment.date() if moment else None
    agents = element.findall("listingAgent")
    if agents:
        named = next((agent for agent in agents if _child_text(agent, "name")), None)
        fields["agent_name"] = (_child_text(named, "name") or "")[:120] if named else ""
        fields["agent_email"] = (_child_text(named, "email") or "")[:254] if named else ""
        phones = named.findall("telephone") if named is not None else []
        mobile = next((p for p in phones if (p.get("type") or "").lower() == "mobile"), None)
        chosen = mobile if mobile is not None else (phones[0] if phones else None)
        fields["agent_phone"] = _text(chosen)[:40] if chosen is not None else ""
    link = element.find("externalLink")
    if link is not None:
        href = (link.get("href") or "").strip()
        fields["link"] = href[:500] if href.lower().startswith(("http://", "https://")) else ""


def _weekly_rent(rents: list[ET.Element]) -> Decimal | None:
    """The weekly rent (REAXML requires one weekly rent among several); monthly converted."""
    weekly = monthly = None
    for rent in rents:
        period = (rent.get("period") or "").strip().lower()
        amount = read_amount(_text(rent))
        if period in ("week", "weekly") and weekly is None:
            weekly = amount
        elif period in ("month", "monthly") and monthly is None:
            monthly = amount
    if weekly is not None:
        return weekly
    if monthly is not None:
        return (monthly * 12 / 52).quantize(Decimal("0.01"))
    return read_amount(_text(rents[0]))
