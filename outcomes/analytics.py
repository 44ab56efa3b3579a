"""The outcomes dashboard's figures for a date range: a fixed number of queries whatever the
range and the table size. Closed days are read from their stored per-day tallies
(`DayTally`); the other days, and closed days not stored yet or marked stale, from one
grouped query on the (agency, created_at, …) covering index (`day_tallies`).

Local days and office hours are found by comparing `created_at` with their starts and ends,
computed here in the agency's zone: no per-row time-zone function (SQLite runs those in
Python, one call per row), and the same SQL on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db import connections, transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Q, Sum, Value, When
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from calls.models import Call, SmsMessage
from campaigns.models import Job, JobCall
from outcomes.hours import OFFICE_CLOSES, OFFICE_OPENS
from outcomes.models import UNKNOWN, DayTally, Disposition

# Colours for the chart series, chosen to stay apart for common colour-vision deficiencies.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
)
CHART_HEIGHT = 160
MAX_TABLE_ROWS = 10
# Stored rows of a day are recomputed once this old: a change to an old call that no hook
# marked (a fix made in the database by hand, say) shows within this bound.
TALLY_MAX_AGE = timedelta(hours=6)
# Calls this recent are on today or yesterday in any zone (a day is at least 23 hours).
RECENT = timedelta(hours=22)


class Tally(NamedTuple):
    """Calls of one local day, grouped as the dashboard adds them up (a `DayTally` row)."""

    day: date
    office: bool
    disposition: str
    agent_name: str
    agency_number: str
    count: int
    timed: int
    seconds: int


TALLY_FIELDS = Tally._fields


@dataclass
class Series:
    key: str
    label: str
    colour: str
    total: int = 0


@dataclass
class DayColumn:
    day: date
    x: float = 0
    total: int = 0
    segments: list[dict[str, Any]] = field(default_factory=list)


def range_bounds(date_from: date, date_to: date, zone) -> tuple[datetime, datetime]:
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _days(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def _local(day: date, moment: time, zone) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _interval_index(bounds: list[datetime], values: list[int], lo: int, hi: int):
    """The value of the interval `created_at` falls in: interval i is [bounds[i],
    bounds[i+1]); a binary search written as nested CASEs, so the database compares the
    indexed column with constants (no per-row time-zone function) in ~log2(n) steps."""
    if lo == hi:
        return Value(values[lo])
    middle = (lo + hi + 1) // 2
    return Case(
        When(created_at__lt=bounds[middle], then=_interval_index(bounds, values, lo, middle - 1)),
        default=_interval_index(bounds, values, middle, hi),
        output_field=IntegerField(),
    )


def day_index(days: list[date], zone):
    """The local day (its index in `days`) of each call, from the days' starts in `zone`."""
    starts = [_local(day, time.min, zone) for day in days]
    return _interval_index(starts, list(range(len(days))), 0, len(days) - 1)


def in_office_hours(days: list[date], zone):
    """1 for a call in office hours (weekdays, local time), else 0 — the calls are already
    within `days`, so only the weekdays' opening and closing moments are compared."""
    bounds, values = [_local(days[0], time.min, zone)], [0]
    for day in days:
        if day.weekday() < 5:
            bounds += [_local(day, OFFICE_OPENS, zone), _local(day, OFFICE_CLOSES, zone)]
            values += [1, 0]
    return _interval_index(bounds, values, 0, len(values) - 1)


def outcome_figures(*, agency, zone, date_from: date, date_to: date) -> dict[str, Any]:
    """Everything the outcomes dashboard shows for `agency` between the two local days."""
    start, end = range_bounds(date_from, date_to, zone)
    dispositions = list(Disposition.objects.filter(agency=agency))
    converting = {d.key for d in dispositions if d.converts}
    labels = {d.key: d.label for d in dispositions} | {UNKNOWN: "Unknown"}
    days = _days(date_from, date_to)
    tallies = day_tallies(agency, zone, days)
    rows = _day_rows(tallies, days)
    total = sum(row["count"] for row in rows)
    analysed = sum(row["count"] for row in rows if row["disposition"])
    converted = sum(row["count"] for row in rows if row["disposition"] in converting)
    timed = sum(row["timed"] for row in rows)
    seconds = sum(row["seconds"] or 0 for row in rows)
    sms = (
        SmsMessage.objects.filter(
            agency=agency,
            direction=SmsMessage.Direction.OUTBOUND,
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by()
        .aggregate(
            sent=Count("id"),
            delivered=Count("id", filter=Q(status__in=["delivered", "read"])),
        )
    )
    per_agent, per_number = _agent_and_number_conversion(tallies, converting)
    return {
        "total": total,
        "analysed": analysed,
        "conversion_rate": _share(converted, analysed),
        "average_duration": round(seconds / timed) if timed else None,
        "after_hours_share": _share(sum(row["after_hours"] for row in rows), total),
        "sms_sent": sms["sent"],
        "sms_delivery_rate": _share(sms["delivered"], sms["sent"]),
        "chart": _chart(rows, days, labels),
        "by_outcome": _by_outcome(rows, labels),
        "per_agent": per_agent,
        "per_number": per_number,
        "per_campaign": _campaign_conversion(agency, start, end, converting),
    }


def _day_rows(tallies: list[Tally], days: list[date]) -> list[dict[str, Any]]:
    """Calls per local day (its index in `days`) and outcome, with what the figures above
    the chart add up."""
    index = {day: n for n, day in enumerate(days)}
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for tally in tallies:
        key = (index[tally.day], tally.disposition)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "day": key[0],
                "disposition": key[1],
                "count": 0,
                "after_hours": 0,
                "timed": 0,
                "seconds": 0,
            }
        row["count"] += tally.count
        row["after_hours"] += 0 if tally.office else tally.count
        row["timed"] += tally.timed
        row["seconds"] += tally.seconds
    return list(rows.values())


def day_tallies(agency, zone, days: list[date]) -> list[Tally]:
    """The calls of `days` grouped by day, office hours, outcome, agent and agency number.

    Closed days (before yesterday in the agency's zone) come from their stored `DayTally`
    rows; the days without fresh rows (never computed, marked stale, older than
    TALLY_MAX_AGE or cut in another zone) are computed from the calls, all in one grouped
    query, and stored; yesterday and today are always computed from the calls. So a fixed
    number of queries, whatever the range's length or how many days need computing."""
    now = timezone.now()
    zone_name = str(zone)
    closed_before = timezone.localtime(now, zone).date() - timedelta(days=1)
    closed = [day for day in days if day < closed_before]
    tallies: list[Tally] = []
    if closed:
        stored = DayTally.objects.filter(
            agency=agency,
            day__gte=closed[0],
            day__lte=closed[-1],
            zone=zone_name,
            computed_at__gt=now - TALLY_MAX_AGE,
        ).values_list(*TALLY_FIELDS)
        tallies = [Tally(*row) for row in stored]
    known = {tally.day for tally in tallies}
    missing = [day for day in closed if day not in known]
    computing = missing + [day for day in days if day >= closed_before]
    if not computing:
        return sorted(tallies)
    computed = _tallies_from_calls(agency, zone, computing)
    if missing:
        _store(agency, zone_name, missing, computed, now)
    # One order whatever came from where, so ties (outcomes with as many calls) rank alike.
    return sorted(tallies + computed)


def _tallies_from_calls(agency, zone, days: list[date]) -> list[Tally]:
    """One grouped query over the calls of `days` (ascending; gaps between runs of
    consecutive days are left out) on the covering (agency, created_at, …) index."""
    runs = Q()
    for first, last in _runs(days):
        start, end = range_bounds(first, last, zone)
        runs |= Q(created_at__gte=start, created_at__lt=end)
    completed = Q(status=Call.Status.COMPLETED)
    rows = (
        Call.objects.filter(runs, agency=agency)
        .annotate(
            # Calls outside `days` are filtered out, so the day is the last start before
            # the call among `days`' starts, and office hours likewise.
            day=day_index(days, zone),
            office=in_office_hours(days, zone),
            agency_number=Case(
                When(direction=Call.Direction.INBOUND, then=F("to_phone")),
                default=F("from_phone"),
                output_field=CharField(),
            ),
        )
        .order_by()
        .values_list("day", "office", "disposition", "agent_name", "agency_number")
        .annotate(
            count=Count("created_at"),
            timed=Count("duration", filter=completed),
            seconds=Sum("duration", filter=completed),
        )
    )
    return [
        Tally(days[day], bool(office), disposition, agent, number, count, timed, seconds or 0)
        for day, office, disposition, agent, number, count, timed, seconds in rows
    ]


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Ascending `days` as runs of consecutive days: [(first, last), …]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _store(agency, zone_name: str, days: list[date], computed: list[Tally], now) -> None:
    """Replace the rows of `days` with `computed`'s (a zero row for a day without calls):
    one delete and one insert whatever the number of rows. A concurrent read storing the
    same day is ignored (the unique constraint on the grouping)."""
    wanted = set(days)
    rows = [tally for tally in computed if tally.day in wanted]
    empty = wanted - {tally.day for tally in rows}
    rows += [Tally(day, False, "", "", "", 0, 0, 0) for day in sorted(empty)]
    fields = [DayTally._meta.get_field(name) for name in ("agency", *TALLY_FIELDS)]
    fields += [DayTally._meta.get_field(name) for name in ("zone", "computed_at")]
    connection = connections[DayTally.objects.db]
    table = connection.ops.quote_name(DayTally._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, (agency.pk, *tally, zone_name, now), strict=True)
        ]
        for tally in rows
    ]
    with transaction.atomic(using=connection.alias):
        DayTally.objects.filter(agency=agency, day__in=days).delete()
        # One statement for any number of rows (bulk_create splits them into batches of
        # the backend's parameter limit, so the query count would grow with the range).
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING",
                values,
            )


def forget_day_tallies(agency_id, moment: datetime) -> None:
    """A call made at `moment` changed (its outcome corrected, its analysis arrived late,
    the call deleted): its local day's stored rows go, so the next read recomputes them.

    Calls of the last 22 hours are on today or yesterday, never stored: nothing to do. The
    local day is within a day of the UTC date whatever the zone, so those three days go."""
    if moment > timezone.now() - RECENT:
        return
    day = moment.astimezone(UTC).date()
    DayTally.objects.filter(
        agency_id=agency_id, day__range=(day - timedelta(days=1), day + timedelta(days=1))
    ).delete()


def _share(part: int | None, whole: int | None) -> int | None:
    return round(100 * (part or 0) / whole) if whole else None


def _by_outcome(rows: list[dict], labels: dict[str, str]) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for row in rows:
        if row["disposition"]:
            counts[row["disposition"]] = counts.get(row["disposition"], 0) + row["count"]
    return [
        {"key": key, "label": labels.get(key, key), "count": count}
        for key, count in sorted(counts.items(), key=lambda item: -item[1])
    ]


def _agent_and_number_conversion(tallies: list[Tally], converting: set[str]) -> tuple[list, list]:
    """Conversion per agent and per agency number, of the analysed calls."""
    agents: dict[str, list[int]] = {}
    numbers: dict[str, list[int]] = {}
    for tally in tallies:
        if not tally.disposition:
            continue
        won = tally.count if tally.disposition in converting else 0
        for table, name in ((agents, tally.agent_name), (numbers, tally.agency_number)):
            entry = table.setdefault(name or "—", [0, 0])
            entry[0] += tally.count
            entry[1] += won
    return _conversion_rows(agents), _conversion_rows(numbers)


def _conversion_rows(tallies: dict[str, list[int]]) -> list[dict[str, Any]]:
    ordered = sorted(tallies.items(), key=lambda item: (-item[1][0], item[0]))
    return [
        {"name": name, "calls": calls, "converted": won, "rate": _share(won, calls)}
        for name, (calls, won) in ordered[:MAX_TABLE_ROWS]
    ]


def _campaign_conversion(agency, start, end, converting: set[str]) -> list[dict[str, Any]]:
    # From the jobs that can have calls in the range (made before its end, not finished
    # before its start) to their calls, not from every call of the range to its job.
    jobs = Job.objects.filter(agency=agency, created_at__lt=end).exclude(finished_at__lt=start)
    rows = (
        JobCall.objects.filter(
            job__in=jobs.values("pk"), call__created_at__gte=start, call__created_at__lt=end
        )
        .exclude(call__disposition="")
        .order_by()
        .values("job__campaign__name")
        .annotate(
            calls=Count("call"), converted=Count("call", filter=Q(call__disposition__in=converting))
        )
        .order_by("-calls")[:MAX_TABLE_ROWS]
    )
    return [
        {
            "name": row["job__campaign__name"],
            "calls": row["calls"],
            "converted": row["converted"],
            "rate": _share(row["converted"], row["calls"]),
        }
        for row in rows
    ]


def _chart(rows: list[dict], days: list[date], labels: dict[str, str]) -> dict[str, Any]:
    """Outcomes per day as stacked bars (SVG coordinates computed here, drawn server-side)."""
    counts: dict[tuple[int, str], int] = {}
    series: dict[str, Series] = {}
    for row in rows:
        key = row["disposition"]
        if not key:
            continue
        counts[(row["day"], key)] = counts.get((row["day"], key), 0) + row["count"]
        if key not in series:
            series[key] = Series(key, labels.get(key, key), "")
        series[key].total += row["count"]
    ordered = sorted(series.values(), key=lambda s: -s.total)
    for index, item in enumerate(ordered):
        item.colour = PALETTE[index % len(PALETTE)]
    width = max(1.0, 600 / len(days))
    columns = []
    peak = 0
    for index, day in enumerate(days):
        column = DayColumn(day=day, x=round(index * width, 2))
        for item in ordered:
            n = counts.get((index, item.key), 0)
            if n:
                column.segments.append({"series": item, "count": n})
                column.total += n
        peak = max(peak, column.total)
        columns.append(column)
    for column in columns:
        y = CHART_HEIGHT
        for segment in column.segments:
            height = round(segment["count"] / peak * (CHART_HEIGHT - 10), 2) if peak else 0
            y -= height
            segment.update(y=round(y, 2), height=height)
    bar_width = round(max(width - 2, 1), 2)
    return {
        "series": ordered,
        "columns": columns,
        "bar_width": bar_width,
        "peak": peak,
        "height": CHART_HEIGHT,
        "bars": _bars_svg(columns, bar_width),
    }


def _bars_svg(columns: list[DayColumn], bar_width: float) -> str:
    """The chart's bars as SVG markup: a group per day with its title (the day's counts
    for assistive technology and on hover), its stacked rectangles and, for the first and
    last day, its date. Built here: a year of days with a dozen outcomes each is thousands
    of elements, which the template language renders several times slower."""
    parts = []
    last = len(columns) - 1
    for index, column in enumerate(columns):
        title = f"{date_format(column.day, 'D j M')}: {column.total} call{pluralize(column.total)}"
        title += "".join(
            f", {segment['count']} {segment['series'].label}" for segment in column.segments
        )
        rects = "".join(
            f'<rect x="{column.x}" y="{segment["y"]}" width="{bar_width}" '
            f'height="{segment["height"]}" fill="{segment["series"].colour}"></rect>'
            for segment in column.segments
        )
        label = ""
        if index in (0, last):
            anchor = ' text-anchor="end"' if index == last else ""
            label = (
                f'<text x="{column.x}" y="{CHART_HEIGHT + 12}" font-size="9" fill="#5e6675"'
                f"{anchor}>{date_format(column.day, 'j/n')}</text>"
            )
        parts.append(f"<g><title>{escape(title)}</title>{rects}{label}</g>")
    return mark_safe("\n".join(parts))  # noqa: S308  (labels escaped above)


def on_call_deleted(sender, instance: Call, origin=None, **kwargs) -> None:
    """`post_delete` of Call: its day's stored rows go (not when the whole agency goes —
    its rows go with it)."""
    from agencies.models import Agency

    if not (isinstance(origin, Agency) or getattr(origin, "model", None) is Agency):
        forget_day_tallies(instance.agency_id, instance.created_at)
