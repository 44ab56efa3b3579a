"""The Australian telemarketing calling window, in the recipient's local time.

Rule (PITFALLS.md, "Australian calling rules"): weekdays 9:00–20:00, Saturday 9:00–17:00,
never on Sunday or a public holiday, in the *recipient's* local time.

Where is the recipient? A geographic number's area code tells the state, roughly:
02 → NSW/ACT (Sydney time), 03 → VIC/TAS (Melbourne/Hobart time), 07 → QLD (Brisbane, no
daylight saving). 08 spans WA, SA, NT and Broken Hill (three zones), and 04 mobiles, other
services and foreign numbers carry no location at all. When the place is uncertain we take
the safe reading: the window must be open in *every* zone the number might be in, and no
holiday of *any* state it might be in may fall on the local date (the union of holidays).
For a mobile that is every Australian zone and every state's holidays — e.g. roughly
12:00–20:00 Sydney time in January and 11:00–19:30 in July (Lord Howe Island included).
Daylight saving comes from zoneinfo; holidays from the `holidays` package.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    zones: tuple[str, ...]
    subdivisions: tuple[str, ...]  # `holidays.Australia` subdivision codes


ALL_ZONES = (
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Hobart",
    "Australia/Brisbane",
    "Australia/Adelaide",
    "Australia/Broken_Hill",
    "Australia/Darwin",
    "Australia/Perth",
    "Australia/Eucla",
    "Australia/Lord_Howe",
)
ALL_SUBDIVISIONS = ("ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA")

REGIONS: dict[str, Region] = {
    region.key: region
    for region in (
        Region("NSW", "NSW/ACT (02)", ("Australia/Sydney",), ("NSW", "ACT")),
        Region("VIC", "VIC/TAS (03)", ("Australia/Melbourne", "Australia/Hobart"), ("VIC", "TAS")),
        Region("QLD", "QLD (07)", ("Australia/Brisbane",), ("QLD",)),
        Region(
            "08",
            "WA/SA/NT (08)",
            ("Australia/Perth", "Australia/Adelaide", "Australia/Darwin", "Australia/Broken_Hill"),
            ("WA", "SA", "NT", "NSW"),
        ),
        Region("AU", "Anywhere in Australia (mobile or unknown)", ALL_ZONES, ALL_SUBDIVISIONS),
    )
}
UNKNOWN_REGION = "AU"

_AREA_CODE_REGIONS = {"2": "NSW", "3": "VIC", "7": "QLD", "8": "08"}

OPENING = time(9, 0)
WEEKDAY_CLOSING = time(20, 0)
SATURDAY_CLOSING = time(17, 0)
SUNDAY = 6
SATURDAY = 5


def region_for_phone(phone: str) -> str:
    """The calling-window region key of an E.164 number ("NSW", "VIC", "QLD", "08", "AU")."""
    # Australian landlines are +61 then an area digit (2, 3, 7, 8) and eight digits; a number
    # Voqo stored was validated already, so its shape alone tells mobile from landline.
    if len(phone) == 12 and phone.startswith("+61") and phone[3] in _AREA_CODE_REGIONS:
        return _AREA_CODE_REGIONS[phone[3]]
    return UNKNOWN_REGION


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.cache
def _holidays(subdivisions: tuple[str, ...], year: int) -> frozenset[date]:
    """Every public holiday in `year` of any of these states (the union)."""
    days: set[date] = set()
    for subdivision in subdivisions:
        days.update(holidays.Australia(subdiv=subdivision, years=year).keys())
    return frozenset(days)


def _open_in_zone(zone: ZoneInfo, subdivisions: tuple[str, ...], now: datetime) -> bool:
    local = now.astimezone(zone)
    weekday = local.weekday()
    if weekday == SUNDAY:
        return False
    closing = SATURDAY_CLOSING if weekday == SATURDAY else WEEKDAY_CLOSING
    if not (OPENING <= local.time() < closing):
        return False
    return local.date() not in _holidays(subdivisions, local.year)


def is_region_open(region_key: str, now: datetime) -> bool:
    """Is the window open at `now` everywhere this region's recipient might be?"""
    region = REGIONS.get(region_key, REGIONS[UNKNOWN_REGION])
    return all(_open_in_zone(_zone(name), region.subdivisions, now) for name in region.zones)


def is_open(phone: str, now: datetime) -> bool:
    """May Voqo call `phone` at `now` (an aware datetime)?"""
    return is_region_open(region_for_phone(phone), now)


def open_regions(now: datetime) -> list[str]:
    """Keys of the regions whose window is open at `now`."""
    return [key for key in REGIONS if is_region_open(key, now)]


# Easter plus a weekend plus state holidays never closes the window for this long.
_SEARCH_DAYS = 21


def next_region_opening(region_key: str, now: datetime) -> datetime:
    """The first instant at or after `now` when the region's window is open.

    The open set is an intersection of daily intervals that start at 9:00 local time, so
    the first open instant is either `now` or some zone's 9:00: only those are tried.
    """
    if is_region_open(region_key, now):
        return now
    region = REGIONS.get(region_key, REGIONS[UNKNOWN_REGION])
    candidates = set()
    for name in region.zones:
        zone = _zone(name)
        start_day = now.astimezone(zone).date()
        for offset in range(_SEARCH_DAYS):
            opening = datetime.combine(start_day + timedelta(days=offset), OPENING, tzinfo=zone)
            if opening > now:
                candidates.add(opening)
    for candidate in sorted(candidates):
        if is_region_open(region_key, candidate):
            return candidate.astimezone(now.tzinfo)
    raise ValueError(f"No calling window within {_SEARCH_DAYS} days of {now}")  # pragma: no cover


def next_window_opening(phone: str, now: datetime) -> datetime:
    """When `phone` may next be called: `now` when the window is open."""
    return next_region_opening(region_for_phone(phone), now)
