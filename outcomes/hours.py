"""Office hours: what counts as "after hours" for alert rules and the dashboard share."""

from __future__ import annotations

from datetime import datetime, time

# Weekdays 8:30–17:30 in the agency's zone: a real-estate office's usual hours.
OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)


def is_after_hours(moment: datetime, zone) -> bool:
    """Whether `moment` falls outside office hours (weekends all day) in `zone`."""
    local = moment.astimezone(zone)
    return local.weekday() >= 5 or not OFFICE_OPENS <= local.time() < OFFICE_CLOSES


def in_quiet_hours(moment: datetime, zone, start: time | None, end: time | None) -> bool:
    """Whether `moment` is inside the quiet window start–end (which may span midnight)."""
    if start is None or end is None or start == end:
        return False
    now = moment.astimezone(zone).time()
    return start <= now < end if start < end else (now >= start or now < end)


def quiet_hours_end(moment: datetime, zone, end: time) -> datetime:
    """The first moment at or after `moment` when the quiet window ending at `end` is over."""
    from datetime import timedelta

    local = moment.astimezone(zone)
    candidate = datetime.combine(local.date(), end, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return candidate
