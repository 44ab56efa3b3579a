from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from voqo.phones import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """Show an E.164 number the way Australians write it."""
    return format_phone(value) if value else ""


@register.filter
def duration(seconds) -> str:
    """145 → '2m 25s'."""
    if seconds in (None, ""):
        return "—"
    seconds = int(seconds)
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


# One date format per context, in the current time zone (the agency's):
#   lists and tables: short_datetime  "Thu 3 Dec, 4:09 PM"  (the year shows when it is not this one)
#   a page about one thing: long_datetime  "Thu 3 Dec 2026, 4:09:12 PM AEDT"
#   a day: short_date  "3 Dec 2026"
SHORT_DATETIME = "D j M, g:i A"
SHORT_DATETIME_OTHER_YEAR = "D j M Y, g:i A"
LONG_DATETIME = "D j M Y, g:i:s A T"
SHORT_DATE = "j M Y"


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def short_datetime(value) -> str:
    """A moment in a list or a table; '' for none."""
    if not value:
        return ""
    value = _local(value)
    this_year = value.year == timezone.localdate().year
    return date_format(value, SHORT_DATETIME if this_year else SHORT_DATETIME_OTHER_YEAR)


@register.filter
def long_datetime(value) -> str:
    """A moment on the page of the thing it belongs to, to the second and with the zone."""
    return date_format(_local(value), LONG_DATETIME) if value else ""


@register.filter
def short_date(value) -> str:
    """A day (a date, or the day of a moment)."""
    return date_format(_local(value), SHORT_DATE) if value else ""
