"""The outcomes dashboard's figures for a date range: a fixed number of grouped queries on
the (agency, …, created_at) indexes, whatever the table size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Case, CharField, Count, F, Q, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute, TruncDate

from calls.models import Call, SmsMessage
from campaigns.models import JobCall
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


def outcome_figures(*, agency, zone, date_from: date, date_to: date) -> dict[str, Any]:
    """Everything the outcomes dashboard shows for `agency` between the two local days."""
    start, end = range_bounds(date_from, date_to, zone)
    calls = Call.objects.filter(agency=agency, created_at__gte=start, created_at__lt=end)
    dispositions = list(Disposition.objects.filter(agency=agency))
    converting = [d.key for d in dispositions if d.converts]
    labels = {d.key: d.label for d in dispositions} | {UNKNOWN: "Unknown"}

    minutes = ExtractHour("created_at", tzinfo=zone) * 60 + ExtractMinute("created_at", tzinfo=zone)
    opens = OFFICE_OPENS.hour * 60 + OFFICE_OPENS.minute
    closes = OFFICE_CLOSES.hour * 60 + OFFICE_CLOSES.minute
    totals = (
        calls.annotate(local_minutes=minutes, weekday=ExtractIsoWeekDay("created_at", tzinfo=zone))
        .order_by()
        .aggregate(
            total=Count("id"),
            analysed=Count("id", filter=~Q(disposition="")),
            converted=Count("id", filter=Q(disposition__in=converting)),
            average_duration=Avg("duration", filter=Q(status=Call.Status.COMPLETED)),
            after_hours=Count(
                "id",
                filter=Q(weekday__gte=6)
                | Q(local_minutes__lt=opens)
                | Q(local_minutes__gte=closes),
            ),
        )
    )
    total = totals["total"] or 0
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
    return {
        "total": total,
        "analysed": totals["analysed"],
        "conversion_rate": _share(totals["converted"], totals["analysed"]),
        "average_duration": round(totals["average_duration"])
        if totals["average_duration"] is not None
        else None,
        "after_hours_share": _share(totals["after_hours"], total),
        "sms_sent": sms["sent"],
        "sms_delivery_rate": _share(sms["delivered"], sms["sent"]),
        "chart": _chart(calls, zone, date_from, date_to, labels),
        "by_outcome": _by_outcome(calls, labels),
        "per_agent": _conversion(calls, "agent_name", converting),
        "per_number": _conversion(
            calls.annotate(
                agency_number=Case(
                    When(direction=Call.Direction.INBOUND, then=F("to_phone")),
                    default=F("from_phone"),
                    output_field=CharField(),
                )
            ),
            "agency_number",
            converting,
        ),
        "per_campaign": _campaign_conversion(agency, start, end, converting),
    }


def _share(part: int | None, whole: int | None) -> int | None:
    return round(100 * (part or 0) / whole) if whole else None


def _by_outcome(calls, labels: dict[str, str]) -> list[dict[str, Any]]:
    rows = (
        calls.exclude(disposition="")
        .order_by()
        .values("disposition")
        .annotate(count=Count("id"))
        .order_by("-count")
    )
    return [
        {
            "key": row["disposition"],
            "label": labels.get(row["disposition"], row["disposition"]),
            "count": row["count"],
        }
        for row in rows
    ]


def _conversion(calls, column: str, converting: list[str]) -> list[dict[str, Any]]:
    rows = (
        calls.exclude(disposition="")
        .order_by()
        .values(column)
        .annotate(calls=Count("id"), converted=Count("id", filter=Q(disposition__in=converting)))
        .order_by("-calls")[:MAX_TABLE_ROWS]
    )
    return [
        {
            "name": row[column] or "—",
            "calls": row["calls"],
            "converted": row["converted"],
            "rate": _share(row["converted"], row["calls"]),
        }
        for row in rows
    ]


def _campaign_conversion(agency, start, end, converting: list[str]) -> list[dict[str, Any]]:
    rows = (
        JobCall.objects.filter(agency=agency, call__created_at__gte=start, call__created_at__lt=end)
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


def _chart(calls, zone, date_from: date, date_to: date, labels: dict[str, str]) -> dict[str, Any]:
    """Outcomes per day as stacked bars (SVG coordinates computed here, drawn server-side)."""
    rows = (
        calls.exclude(disposition="")
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by()
        .values("day", "disposition")
        .annotate(count=Count("id"))
    )
    counts: dict[tuple[date, str], int] = {}
    series: dict[str, Series] = {}
    for row in rows:
        counts[(row["day"], row["disposition"])] = row["count"]
        key = row["disposition"]
        if key not in series:
            series[key] = Series(key, labels.get(key, key), "")
        series[key].total += row["count"]
    ordered = sorted(series.values(), key=lambda s: -s.total)
    for index, item in enumerate(ordered):
        item.colour = PALETTE[index % len(PALETTE)]
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    width = max(1.0, 600 / len(days))
    columns = []
    peak = 0
    for index, day in enumerate(days):
        column = DayColumn(day=day, x=round(index * width, 2))
        for item in ordered:
            n = counts.get((day, item.key), 0)
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
