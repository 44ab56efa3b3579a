"""No dial outside its purpose's window, for any instant, state, DST day or holiday.

The oracle below restates the rules from the Telemarketing and Research Calls Industry
Standard 2017 (and Voqo's service hours) in local time, independently of voqo.calling_window.
"""

import functools
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from campaigns import engine
from campaigns.models import JobCall
from tests.campaigns.helpers import dialled_numbers, make_job
from voqo import calling_window as window

# (opening, closing) per weekday, Monday first; None: closed all day.
RULES = {
    "telemarketing": [(time(9), time(20))] * 5 + [(time(9), time(17)), None],
    "research": [(time(9), time(20, 30))] * 5 + [(time(9), time(17))] * 2,
    "service": [(time(8), time(20))] * 5 + [(time(9), time(17)), None],
}
# Every state and "unknown" (a mobile with no state), landline areas and foreign numbers.
REGION_KEYS = sorted(window.REGIONS)

instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 20)).map(
    lambda naive: naive.replace(microsecond=0, tzinfo=UTC)
)


@functools.cache
def holiday_dates(subdivision: str, year: int) -> frozenset:
    return frozenset(holidays.Australia(subdiv=subdivision, years=year))


@functools.cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def allowed(region: window.Region, purpose: str, instant: datetime) -> bool:
    """The oracle: open in every zone the recipient might be in, no holiday of any state."""
    for name in region.zones:
        local = instant.astimezone(zone(name))
        hours = RULES[purpose][local.weekday()]
        if hours is None or not hours[0] <= local.time() < hours[1]:
            return False
        if any(local.date() in holiday_dates(sub, local.year) for sub in region.subdivisions):
            return False
    return True


@settings(max_examples=10_000, deadline=None)
@given(instant=instants)
@example(instant=datetime(2026, 10, 3, 16, 30, tzinfo=UTC))  # Sydney's DST starts
@example(instant=datetime(2026, 4, 4, 15, 59, tzinfo=UTC))  # Sydney's DST ends
@example(instant=datetime(2026, 12, 24, 23, 0, tzinfo=UTC))  # Christmas Day
@example(instant=datetime(2026, 1, 26, 0, 0, tzinfo=UTC))  # Australia Day
@example(instant=datetime(2026, 6, 8, 1, 0, tzinfo=UTC))  # King's Birthday (not in WA or QLD)
@example(instant=datetime(2026, 3, 9, 0, 0, tzinfo=UTC))  # Labour Day in VIC only
def test_the_dialler_opens_only_regions_whose_window_is_open(instant):
    # claim_rows dials only rows whose region is in open_regions(): nothing else is claimed.
    for purpose in RULES:
        opened = set(window.open_regions(instant, purpose=purpose))
        for key in REGION_KEYS:
            region = window.REGIONS[key]
            assert (key in opened) == allowed(region, purpose, instant), (key, purpose)


PHONES_BY_STATE = {
    "+61400000101": "NSW",
    "+61400000102": "VIC",
    "+61400000103": "QLD",
    "+61400000104": "SA",
    "+61400000105": "WA",
    "+61400000106": "TAS",
    "+61400000107": "NT",
    "+61400000108": "ACT",
    "+61400000109": "",  # state unknown
}


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", sorted(RULES))
@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 10, 4, 0, 30, tzinfo=UTC),  # DST day: 10:30 Sydney, 8:00 Perth, Sunday
        datetime(2026, 4, 5, 23, 0, tzinfo=UTC),  # Easter Monday morning in the east
        datetime(2026, 10, 5, 0, 30, tzinfo=UTC),  # Labour Day NSW/ACT/SA, a Monday
        datetime(2026, 11, 3, 1, 0, tzinfo=UTC),  # Melbourne Cup day (VIC)
        datetime(2026, 7, 15, 9, 20, tzinfo=UTC),  # 19:20 Sydney, 17:20 Perth on a Wednesday
        datetime(2026, 7, 18, 6, 30, tzinfo=UTC),  # Saturday 16:30 Sydney
    ],
)
def test_a_job_over_every_state_dials_only_numbers_inside_their_window(
    live_provider_settings, purpose, instant
):
    job = make_job(
        list(PHONES_BY_STATE),
        cap=20,
        calling_window="au_telemarketing",
        purpose=purpose,
    )
    for row in JobCall.objects.filter(job=job).select_related("batch_contact"):
        contact = row.batch_contact
        state = PHONES_BY_STATE[contact.phone]
        contact.state, contact.region = state, window.region_for_phone(contact.phone, state)
        contact.save(update_fields=["state", "region"])

    engine.dispatch_job(job.pk, now=instant)

    for phone in dialled_numbers(live_provider_settings):
        region = window.REGIONS[window.region_for_phone(phone, PHONES_BY_STATE[phone])]
        assert allowed(region, purpose, instant), (phone, purpose, instant)
    expected = {
        phone
        for phone, state in PHONES_BY_STATE.items()
        if allowed(window.REGIONS[window.region_for_phone(phone, state)], purpose, instant)
    }
    assert set(dialled_numbers(live_provider_settings)) == expected
