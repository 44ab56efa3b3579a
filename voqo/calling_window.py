"""The Australian calling windows, in the recipient's local time, for each call purpose.

Rules (PITFALLS.md, "Australian calling rules"; the Telemarketing and Research Calls
Industry Standard 2017), in the *recipient's* local time, never on a public holiday:
telemarketing weekdays 9:00–20:00 and Saturday 9:00–17:00, never Sunday; research weekdays
9:00–20:30 and weekends 9:00–17:00. Service calls (an existing client's own matter, e.g. a
tenant's maintenance follow-up) are not telemarketing and the Standard does not cover them:
Voqo keeps courtesy hours for them, weekdays 8:00–20:00 and Saturday 9:00–17:00. The one zone
reader: campaigns (by stored region key) and single calls (check_number) both ask this module.

Where is the recipient? A geographic number's area code tells the state, roughly:
02 → NSW/ACT (Sydney time), 03 → VIC/TAS (Melbourne/Hobart time), 07 → QLD (Brisbane, no
daylight saving). 08 spans WA, SA, NT and Broken Hill (three zones), and 04 mobiles, other
services and foreign numbers carry no location at all. When the place is uncertain we take
the safe reading: the window must be open in *every* zone the number might be in, and no
holiday of *any* state it might be in may fall on the local date (the union of holidays).
For a mobile that is every Australian zone and every state's holidays — e.g. roughly
12:00–20:00 Sydney time in January and 11:00–19:30 in July (Lord Howe Island included) —
unless the agency says where its contacts live: a contact's state, an upload's `state`
column, or the agency's default state (Settings) puts a mobile in that state's zone.
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
    reason: str = ""  # why a number is in this region, in words for the job page


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

# A state the agency, a contact or an upload row names: its capital's time and its own
# holidays. (Broken Hill and Lord Howe Island keep other clocks: leave their state unset.)
STATE_ZONES = {
    "NSW": "Australia/Sydney",
    "VIC": "Australia/Melbourne",
    "QLD": "Australia/Brisbane",
    "SA": "Australia/Adelaide",
    "WA": "Australia/Perth",
    "TAS": "Australia/Hobart",
    "NT": "Australia/Darwin",
    "ACT": "Australia/Sydney",
}
STATE_CHOICES = [
    ("NSW", "New South Wales"),
    ("VIC", "Victoria"),
    ("QLD", "Queensland"),
    ("SA", "South Australia"),
    ("WA", "Western Australia"),
    ("TAS", "Tasmania"),
    ("NT", "Northern Territory"),
    ("ACT", "Australian Capital Territory"),
]
STATE_NAMES = dict(STATE_CHOICES)

# An Australian number with no location (a mobile): the agency's default state when set,
# else every zone. A foreign number is never given the agency's state.
UNKNOWN_REGION = "AU"
FOREIGN_REGION = "INT"

REGIONS: dict[str, Region] = {
    region.key: region
    for region in (
        Region("02", "NSW/ACT (02)", ("Australia/Sydney",), ("NSW", "ACT"), "area code 02"),
        Region(
            "03",
            "VIC/TAS (03)",
            ("Australia/Melbourne", "Australia/Hobart"),
            ("VIC", "TAS"),
            "area code 03",
        ),
        Region("07", "QLD (07)", ("Australia/Brisbane",), ("QLD",), "area code 07"),
        Region(
            "08",
            "WA/SA/NT (08)",
            ("Australia/Perth", "Australia/Adelaide", "Australia/Darwin", "Australia/Broken_Hill"),
            ("WA", "SA", "NT", "NSW"),
            "area code 08 (three time zones)",
        ),
        *(
            Region(code, STATE_NAMES[code], (zone,), (code,), f"state {code}")
            for code, zone in STATE_ZONES.items()
        ),
        Region(
            UNKNOWN_REGION,
            "Anywhere in Australia (mobile, state unknown)",
            ALL_ZONES,
            ALL_SUBDIVISIONS,
            "a mobile carries no location and no state is known",
        ),
        Region(
            FOREIGN_REGION,
            "Outside Australia",
            ALL_ZONES,
            ALL_SUBDIVISIONS,
            "a foreign number: the window open in every Australian zone",
        ),
    )
}

_AREA_CODE_REGIONS = {"2": "02", "3": "03", "7": "07", "8": "08"}
# The states an area code spans: a stated state inside them narrows a landline's region.
_AREA_STATES = {
    "02": ("NSW", "ACT"),
    "03": ("VIC", "TAS"),
    "07": ("QLD",),
    "08": ("WA", "SA", "NT"),
}
_STATE_ALIASES = {
    **{code.lower(): code for code in STATE_ZONES},
    **{name.lower(): code for code, name in STATE_CHOICES},
}

TELEMARKETING = "telemarketing"
SERVICE = "service"
RESEARCH = "research"
PURPOSE_CHOICES = [
    (TELEMARKETING, "Telemarketing (selling, appraisals, prospecting)"),
    (SERVICE, "Service (an existing client's own matter, e.g. a tenant's maintenance)"),
    (RESEARCH, "Research (a survey that sells nothing)"),
]
PURPOSE_LABELS = {TELEMARKETING: "Telemarketing", SERVICE: "Service", RESEARCH: "Research"}


@dataclass(frozen=True)
class Hours:
    """When calls of one purpose may be made: (opening, closing) per weekday, Monday first,
    None for a closed day; every public holiday of the recipient's state is closed."""

    days: tuple[tuple[time, time] | None, ...]
    summary: str

    def on(self, day: date) -> tuple[time, time] | None:
        return self.days[day.weekday()]


_WEEKDAY = (time(9, 0), time(20, 0))
_WEEKEND = (time(9, 0), time(17, 0))
HOURS: dict[str, Hours] = {
    TELEMARKETING: Hours(
        (_WEEKDAY,) * 5 + (_WEEKEND, None),
        "weekdays 9:00–20:00, Saturday 9:00–17:00, never Sunday or a public holiday",
    ),
    RESEARCH: Hours(
        ((time(9, 0), time(20, 30)),) * 5 + (_WEEKEND, _WEEKEND),
        "weekdays 9:00–20:30, weekends 9:00–17:00, never a public holiday",
    ),
    SERVICE: Hours(
        ((time(8, 0), time(20, 0)),) * 5 + (_WEEKEND, None),
        "weekdays 8:00–20:00, Saturday 9:00–17:00, never Sunday or a public holiday",
    ),
}


def hours_for(purpose: str) -> Hours:
    """The calling hours of `purpose`; an unknown purpose gets telemarketing's (the narrowest
    on weekdays, and the one the law names)."""
    return HOURS.get(purpose, HOURS[TELEMARKETING])


class UnknownState(ValueError):
    """A state that is not one of Australia's eight, with the message to show."""


def parse_state(text: str) -> str:
    """'nsw', 'NSW ', 'New South Wales' → 'NSW'; '' for blank. Raises UnknownState."""
    cleaned = " ".join((text or "").replace(".", "").split()).lower()
    if not cleaned:
        return ""
    try:
        return _STATE_ALIASES[cleaned]
    except KeyError:
        codes = ", ".join(STATE_ZONES)
        raise UnknownState(
            f"“{text.strip()}” is not an Australian state: use {codes}, or leave it empty."
        ) from None


def region_for_phone(phone: str, state: str = "") -> str:
    """The calling-window region key of an E.164 number, narrowed by a known `state`.

    A landline's area code places it ("02", "03", "07", "08"); a state inside that area
    narrows it (08 + "WA" → Perth only), a state outside it is ignored (the number wins).
    An Australian mobile takes the stated state, else "AU" (the agency's default state or
    every zone, decided when dialling); a foreign number is "INT".
    """
    # Australian landlines are +61 then an area digit (2, 3, 7, 8) and eight digits; a number
    # Voqo stored was validated already, so its shape alone tells mobile from landline.
    state = state if state in STATE_ZONES else ""
    if len(phone) == 12 and phone.startswith("+61") and phone[3] in _AREA_CODE_REGIONS:
        area = _AREA_CODE_REGIONS[phone[3]]
        return state if state in _AREA_STATES[area] else area
    if not phone.startswith("+61"):
        return FOREIGN_REGION
    return state or UNKNOWN_REGION


def regions_narrowed_by(state: str) -> list[str]:
    """The region keys that a number stated to be in `state` moves out of (to `state`)."""
    return [UNKNOWN_REGION, *(area for area, states in _AREA_STATES.items() if state in states)]


def agency_default_state(agency) -> str:
    """The state `agency`'s contacts live in when nothing else says (Settings), or ''."""
    from voqo.models import Setting

    state = Setting.get_value("default_state", agency) or ""
    return state if state in STATE_ZONES else ""


def effective_region(region_key: str, default_state: str = "") -> Region:
    """The region whose window applies: "AU" becomes the agency's default state when set."""
    if region_key == UNKNOWN_REGION and default_state:
        return REGIONS[default_state]
    return REGIONS.get(region_key, REGIONS[UNKNOWN_REGION])


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


def _open_in_zone(
    zone: ZoneInfo, subdivisions: tuple[str, ...], now: datetime, hours: Hours
) -> bool:
    local = now.astimezone(zone)
    span = hours.on(local.date())
    if span is None or not (span[0] <= local.time() < span[1]):
        return False
    return local.date() not in _holidays(subdivisions, local.year)


def is_region_open(
    region_key: str, now: datetime, default_state: str = "", purpose: str = TELEMARKETING
) -> bool:
    """Is the window of `purpose` open at `now` everywhere this region's recipient might be?"""
    region = effective_region(region_key, default_state)
    hours = hours_for(purpose)
    return all(_open_in_zone(_zone(name), region.subdivisions, now, hours) for name in region.zones)


def is_open(phone: str, now: datetime, state: str = "", purpose: str = TELEMARKETING) -> bool:
    """May Voqo call `phone` (in `state`, when known) for `purpose` at `now` (aware)?"""
    return is_region_open(region_for_phone(phone, state), now, purpose=purpose)


def open_regions(now: datetime, default_state: str = "", purpose: str = TELEMARKETING) -> list[str]:
    """Keys of the regions whose window for `purpose` is open at `now`."""
    return [key for key in REGIONS if is_region_open(key, now, default_state, purpose)]


# Easter plus a weekend plus state holidays never closes the window for this long.
_SEARCH_DAYS = 21


def next_region_opening(
    region_key: str, now: datetime, default_state: str = "", purpose: str = TELEMARKETING
) -> datetime:
    """The first instant at or after `now` when the region's window for `purpose` is open.

    The open set is an intersection of daily intervals, each starting at its day's opening
    in some zone, so the first open instant is either `now` or one of those openings: only
    those are tried.
    """
    if is_region_open(region_key, now, default_state, purpose):
        return now
    region = effective_region(region_key, default_state)
    hours = hours_for(purpose)
    candidates = set()
    for name in region.zones:
        zone = _zone(name)
        start_day = now.astimezone(zone).date()
        for offset in range(_SEARCH_DAYS):
            day = start_day + timedelta(days=offset)
            if (span := hours.on(day)) is None:
                continue
            opening = datetime.combine(day, span[0], tzinfo=zone)
            if opening > now:
                candidates.add(opening)
    for candidate in sorted(candidates):
        if is_region_open(region_key, candidate, default_state, purpose):
            return candidate.astimezone(now.tzinfo)
    raise ValueError(f"No calling window within {_SEARCH_DAYS} days of {now}")  # pragma: no cover


def next_window_opening(
    phone: str, now: datetime, state: str = "", purpose: str = TELEMARKETING
) -> datetime:
    """When `phone` may next be called for `purpose`: `now` when the window is open."""
    return next_region_opening(region_for_phone(phone, state), now, purpose=purpose)


def window_span(
    region_key: str, now: datetime, default_state: str = "", purpose: str = TELEMARKETING
) -> tuple[datetime, datetime]:
    """The current (or next) open stretch of the region's window: (start, end).

    Within one stretch every zone is inside its own opening–closing of its local day, so the
    stretch ends at the earliest of those closings.
    """
    start = next_region_opening(region_key, now, default_state, purpose)
    region = effective_region(region_key, default_state)
    hours = hours_for(purpose)
    closings = []
    for name in region.zones:
        local = start.astimezone(_zone(name))
        span = hours.on(local.date())
        if span is not None:
            closings.append(datetime.combine(local.date(), span[1], tzinfo=_zone(name)))
    return start, min(closings).astimezone(now.tzinfo)


@dataclass(frozen=True)
class WindowCheck:
    """May one number be called now, and if not, when; with the region and why."""

    region: Region
    is_open: bool
    opens_at: datetime
    reason: str

    @property
    def zone_name(self) -> str:
        """The zone the opening time is best read in: the region's only zone, if one."""
        return self.region.zones[0] if len(self.region.zones) == 1 else ""


def check_number(
    phone: str, *, agency, state: str = "", now: datetime, purpose: str = TELEMARKETING
) -> WindowCheck:
    """The calling window of one number for `purpose` at `now` for `agency` (single calls)."""
    default_state = agency_default_state(agency)
    key = region_for_phone(phone, state)
    region = effective_region(key, default_state)
    reason = region_reason(key, default_state, stated=bool(state))
    opens_at = next_region_opening(key, now, default_state, purpose)
    return WindowCheck(region=region, is_open=opens_at == now, opens_at=opens_at, reason=reason)


def region_reason(key: str, default_state: str, *, stated: bool = True) -> str:
    """Why numbers of region `key` get the window they get, in words."""
    if key == UNKNOWN_REGION and default_state:
        return f"a mobile with no state of its own: the agency's state ({default_state}, Settings)"
    if key in STATE_ZONES:
        return f"the contact's state ({key})" if stated else f"state {key}"
    return REGIONS.get(key, REGIONS[UNKNOWN_REGION]).reason
