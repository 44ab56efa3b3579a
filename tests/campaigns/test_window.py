"""The Australian telemarketing window in the recipient's local time."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from voqo import calling_window as window

SYDNEY = ZoneInfo("Australia/Sydney")
PERTH = ZoneInfo("Australia/Perth")

PHONES = {
    "+61292000000": "02",
    "+61390000000": "03",
    "+61362000000": "03",
    "+61730000000": "07",
    "+61892000000": "08",
    "+61883000000": "08",
    "+61889000000": "08",
    "+61412345678": "AU",
    "+6421123456": "INT",
}

instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 20)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=UTC)
)


def test_area_codes_place_landlines_and_mobiles_are_unknown():
    assert {phone: window.region_for_phone(phone) for phone in PHONES} == PHONES


def test_a_stated_state_places_a_mobile_and_narrows_a_landline_within_its_area():
    assert window.region_for_phone("+61412345678", "WA") == "WA"
    assert window.region_for_phone("+61892000000", "WA") == "WA"
    assert window.region_for_phone("+61262000000", "ACT") == "ACT"
    # A state the number's area code rules out is ignored: the number wins.
    assert window.region_for_phone("+61292000000", "WA") == "02"
    # Broken Hill (NSW) answers to 08 and keeps Adelaide time: "NSW" does not narrow it.
    assert window.region_for_phone("+61880000000", "NSW") == "08"
    # A foreign number is never given an Australian state.
    assert window.region_for_phone("+6421123456", "NSW") == "INT"


def test_a_sydney_mobile_gets_sydneys_eleven_hours_not_the_eight_every_zone_shares():
    sydney_morning = datetime(2026, 1, 14, 9, 30, tzinfo=SYDNEY)
    assert not window.is_open("+61412345678", sydney_morning)
    assert window.is_open("+61412345678", sydney_morning, state="NSW")
    assert window.is_region_open("AU", sydney_morning, default_state="NSW")
    assert "AU" in window.open_regions(sydney_morning, default_state="NSW")
    assert "AU" not in window.open_regions(sydney_morning)
    start, end = window.window_span("NSW", sydney_morning)
    assert (start, end) == (sydney_morning, datetime(2026, 1, 14, 20, 0, tzinfo=SYDNEY))
    start, end = window.window_span("AU", sydney_morning)
    assert (start, end) == (
        datetime(2026, 1, 14, 12, 0, tzinfo=SYDNEY),
        datetime(2026, 1, 14, 20, 0, tzinfo=SYDNEY),
    )


def test_a_perth_mobile_waits_for_nine_in_perth():
    nine_in_sydney = datetime(2026, 3, 11, 9, 0, tzinfo=SYDNEY)  # 6:00 in Perth
    assert not window.is_open("+61412345678", nine_in_sydney, state="WA")
    assert window.next_window_opening("+61412345678", nine_in_sydney, state="WA") == datetime(
        2026, 3, 11, 9, 0, tzinfo=PERTH
    )


@pytest.mark.parametrize(
    ("typed", "state"),
    [("nsw", "NSW"), (" WA ", "WA"), ("New South Wales", "NSW"), ("a.c.t.", "ACT"), ("", "")],
)
def test_states_are_read_as_people_write_them(typed, state):
    assert window.parse_state(typed) == state


def test_an_unknown_state_is_refused_with_the_choices():
    with pytest.raises(window.UnknownState, match="“Sydney” is not an Australian state: use NSW"):
        window.parse_state("Sydney")


def test_a_mobile_is_called_only_when_every_zone_is_within_hours():
    assert not window.is_open("+61412345678", datetime(2026, 1, 14, 11, 59, tzinfo=SYDNEY))
    assert window.is_open("+61412345678", datetime(2026, 1, 14, 12, 0, tzinfo=SYDNEY))
    assert window.is_open("+61412345678", datetime(2026, 7, 15, 19, 29, tzinfo=SYDNEY))
    assert not window.is_open("+61412345678", datetime(2026, 7, 15, 19, 30, tzinfo=SYDNEY))


def test_saturday_closes_at_five_and_sunday_is_closed():
    assert window.is_open("+61292000000", datetime(2026, 3, 14, 16, 59, tzinfo=SYDNEY))
    assert not window.is_open("+61292000000", datetime(2026, 3, 14, 17, 0, tzinfo=SYDNEY))
    assert not window.is_open("+61292000000", datetime(2026, 3, 15, 12, 0, tzinfo=SYDNEY))


def test_perth_numbers_follow_perth_time():
    assert not window.is_open("+61892000000", datetime(2026, 3, 11, 8, 59, tzinfo=PERTH))
    assert window.is_open("+61892000000", datetime(2026, 3, 11, 10, 0, tzinfo=PERTH))


def test_national_holidays_are_closed_everywhere():
    christmas = datetime(2026, 12, 25, 12, 0, tzinfo=SYDNEY)
    assert not any(window.is_open(phone, christmas) for phone in PHONES)
    assert window.next_window_opening("+61292000000", christmas) == datetime(
        2026, 12, 29, 9, 0, tzinfo=SYDNEY
    )  # Boxing Day is a Saturday, so Monday 28th is its substitute holiday


def _local_rules_hold(region: window.Region, instant: datetime) -> bool:
    for name in region.zones:
        local = instant.astimezone(ZoneInfo(name))
        if local.weekday() == 6:
            return False
        closing = 17 if local.weekday() == 5 else 20
        if not 9 <= local.hour < closing:
            return False
        for subdivision in region.subdivisions:
            if local.date() in holidays.Australia(subdiv=subdivision, years=local.year):
                return False
    return True


@settings(max_examples=60, deadline=None)
@given(instant=instants, phone=st.sampled_from(sorted(PHONES)))
def test_open_means_within_local_hours_in_every_possible_zone_and_not_a_holiday(instant, phone):
    region = window.REGIONS[window.region_for_phone(phone)]
    assert window.is_open(phone, instant) == _local_rules_hold(region, instant)


@settings(max_examples=25, deadline=None)
@given(instant=instants, phone=st.sampled_from(sorted(PHONES)))
@example(instant=datetime(2026, 10, 3, 15, 30, tzinfo=UTC), phone="+61412345678")  # DST starts
@example(instant=datetime(2026, 4, 4, 15, 30, tzinfo=UTC), phone="+61390000000")  # DST ends
@example(instant=datetime(2026, 4, 2, 10, 0, tzinfo=UTC), phone="+61412345678")  # Easter
def test_next_opening_is_open_and_nothing_earlier_is(instant, phone):
    opening = window.next_window_opening(phone, instant)

    assert opening >= instant
    assert window.is_open(phone, opening)
    # Every earlier minute is closed (across DST changes, weekends and holidays).
    minute = instant
    while minute < opening:
        assert not window.is_open(phone, minute), minute
        minute += timedelta(minutes=1)


def test_daylight_saving_changes_move_the_window_with_local_time():
    # Sydney leaves DST on Sunday 5 April 2026; Monday 9:00 is then UTC+10.
    assert window.next_window_opening(
        "+61292000000", datetime(2026, 4, 4, 18, 0, tzinfo=SYDNEY)
    ) == datetime(2026, 4, 7, 9, 0, tzinfo=SYDNEY)  # Easter Monday 6 April is a holiday
    # Brisbane has no DST: 9:00 Brisbane is 10:00 Sydney in summer.
    assert window.is_open("+61730000000", datetime(2026, 2, 4, 10, 0, tzinfo=SYDNEY))
    assert not window.is_open("+61730000000", datetime(2026, 2, 4, 9, 59, tzinfo=SYDNEY))
