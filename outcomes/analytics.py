"""The outcomes dashboard's figures for a date range: a fixed number of grouped queries on
the (agency, created_at, …) covering index, whatever the table size.

Local days and office hours are found by comparing `created_at` with their starts and ends,
computed here in the agency's zone: no per-row time-zone function (SQLite runs those in
Python, one call per row), and the same SQL on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, F, IntegerField, Q, Sum, Value, When

from calls.models import Call, SmsMessage
from campaigns.models import Job, JobCall
from outcomes.hours import OFFICE_CLOSES, OFFICE_OPENS
from outcomes.models import UNKNOWN, Disposition

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
    calls = Call.objects.filter(agency=agency, created_at__gte=start, created_at__lt=end)
    dispositions = list(Disposition.objects.filter(agency=agency))
    converting = {d.key for d in dispositions if d.converts}
    labels = {d.key: d.label for d in dispositions} | {UNKNOWN: "Unknown"}
    days = _days(date_from, date_to)
    completed = Q(status=Call.Status.COMPLETED)
    # One pass over the range (on the covering (agency, created_at, …) index): calls per
    # local day and outcome, with what the figures above the chart add up.
    rows = list(
        calls.annotate(day=day_index(days, zone), office=in_office_hours(days, zone))
        .order_by()
        .values("day", "disposition")
        .annotate(
            count=Count("created_at"),
            after_hours=Count("created_at", filter=Q(office=0)),
            timed=Count("duration", filter=completed),
            seconds=Sum("duration", filter=completed),
        )
    )
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
    per_agent, per_number = _agent_and_number_conversion(calls, converting)
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


def _agent_and_number_conversion(calls, converting: set[str]) -> tuple[list, list]:
    """Conversion per agent and per agency number, from one grouped query."""
    rows = (
        calls.exclude(disposition="")
        .annotate(
            agency_number=Case(
                When(direction=Call.Direction.INBOUND, then=F("to_phone")),
                default=F("from_phone"),
                output_field=CharField(),
            )
        )
        .order_by()
        .values("agent_name", "agency_number", "disposition")
        .annotate(count=Count("created_at"))
    )
    agents: dict[str, list[int]] = {}
    numbers: dict[str, list[int]] = {}
    for row in rows:
        won = row["count"] if row["disposition"] in converting else 0
        for table, name in ((agents, row["agent_name"]), (numbers, row["agency_number"])):
            tally = table.setdefault(name or "—", [0, 0])
            tally[0] += row["count"]
            tally[1] += won
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
    return {
        "series": ordered,
        "columns": columns,
        "bar_width": round(max(width - 2, 1), 2),
        "peak": peak,
        "height": CHART_HEIGHT,
    }
