"""Reads of the calls domain: keyset pages of the list, the transcript as display items."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency
from calls.models import Call

PAGE_SIZE = 50


@dataclass
class CallPage:
    calls: list[Call]
    older_cursor: str | None
    newer_cursor: str | None


def encode_cursor(call: Call) -> str:
    return f"{call.created_at.isoformat()}~{call.pk}"


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID] | None:
    try:
        moment, _, pk = cursor.partition("~")
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            return None
        return parsed, uuid.UUID(pk)
    except ValueError:
        return None


def keyset_page(
    calls: QuerySet[Call],
    *,
    before: str = "",
    after: str = "",
    size: int = PAGE_SIZE,
    rows: QuerySet[Call] | None = None,
) -> CallPage:
    """One page of `calls`, newest first, by the (created_at, id) cursor — never OFFSET/COUNT.

    The page's ids are chosen first (by `calls`' filters, reading only what the order needs),
    then those rows are read whole from `rows` (default: every call, unfiltered): a filter
    that no index keeps in date order (a campaign's calls) then sorts narrow keys, not
    thousands of whole call rows, in the same single query.
    """
    rows = Call.objects.all() if rows is None else rows
    after_key = decode_cursor(after) if after else None
    before_key = decode_cursor(before) if before and not after_key else None
    if after_key:
        moment, pk = after_key
        newer = calls.filter(Q(created_at__gt=moment) | Q(created_at=moment, id__gt=pk))
        page = _rows_in_order(newer, rows, ("created_at", "id"), size + 1)
        has_newer = len(page) > size
        page = page[:size][::-1]
        has_older = True
    else:
        if before_key:
            moment, pk = before_key
            calls = calls.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
        page = _rows_in_order(calls, rows, ("-created_at", "-id"), size + 1)
        has_older = len(page) > size
        page = page[:size]
        has_newer = before_key is not None
    return CallPage(
        calls=page,
        older_cursor=encode_cursor(page[-1]) if page and has_older else None,
        newer_cursor=encode_cursor(page[0]) if page and has_newer else None,
    )


def _rows_in_order(
    calls: QuerySet[Call], rows: QuerySet[Call], order: tuple[str, ...], limit: int
) -> list[Call]:
    ids = calls.select_related(None).order_by(*order).values("pk")[:limit]
    return list(rows.filter(pk__in=ids).order_by(*order))


# -- search by part of a number ----------------------------------------------------------

_NUMBER_TEXT = re.compile(r"^\+?[0-9 ()\-.]+$")
MIN_PARTIAL_DIGITS = 3
# Up to this many contacts whose number contains the digits, their calls are found through
# the contact index; more, and the calls are walked newest first with a correlated lookup.
PHONE_SEARCH_INDEXED_CONTACTS = 500


def looks_like_part_of_a_number(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return bool(_NUMBER_TEXT.match(text.strip())) and digits >= MIN_PARTIAL_DIGITS


def _number_prefix(text: str) -> str:
    """How the typed digits begin a stored E.164 number: '0412' → '+61412'."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("0011"):
        return "+" + digits[4:]
    if digits.startswith("0"):
        return "+61" + digits[1:]
    if digits.startswith("61") and len(digits) > 9:
        return "+" + digits
    return "+61" + digits


# A number start matching more calls than this ("04") is searched by walking the calls
# newest first (a page fills at once); a rarer one by an index range, then sorted.
BROAD_PREFIX_CALLS = 2000


def _begins_with(calls: QuerySet[Call], column: str, prefix: str) -> Q:
    # A range, not LIKE 'x%': SQLite's case-insensitive LIKE cannot use the column's index.
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    in_range = Q(**{f"{column}__gte": prefix, f"{column}__lt": upper})
    # Unordered, so the probe stops at the limit instead of sorting every match first.
    probe = calls.filter(in_range).order_by().values("pk")[: BROAD_PREFIX_CALLS + 1]
    if probe.count() > BROAD_PREFIX_CALLS:
        return Q(**{f"{column}__startswith": prefix})  # not indexable: the date index leads
    return in_range


def calls_matching_part_of_a_number(
    calls: QuerySet[Call], text: str, *, agency: Agency
) -> QuerySet[Call]:
    """Calls whose number contains the typed digits ("345 678", "0412", "+61 412").

    Contacts' numbers are searched anywhere (a LIKE over contacts, far fewer rows than
    calls), then their calls come from the contact index; calls with no contact are found
    when the digits begin their number (an index range on each number column). The calls
    table itself is never scanned with LIKE, which at 1M calls took seconds.
    """
    from contacts.models import Contact

    digits = "".join(ch for ch in text if ch.isdigit())
    if digits.startswith("0") and not digits.startswith("00"):
        digits = digits[1:]  # a national 0 is not stored: "0412" is "+61412…"
    contacts = Contact.objects.filter(phone__contains=digits, agency=agency).order_by()
    ids = list(contacts.values_list("id", flat=True)[: PHONE_SEARCH_INDEXED_CONTACTS + 1])
    if len(ids) <= PHONE_SEARCH_INDEXED_CONTACTS:
        by_contact = Q(contact_id__in=ids)
    else:
        by_contact = Q(
            Exists(
                Contact.objects.filter(
                    pk=OuterRef("contact_id"), phone__contains=digits, agency=agency
                )
            )
        )
    prefix = _number_prefix(text)
    return calls.filter(
        by_contact
        | _begins_with(calls, "from_phone", prefix)
        | _begins_with(calls, "to_phone", prefix)
    )


@dataclass
class TranscriptItem:
    kind: str  # "message" or "tool"
    role: str = ""
    message: str = ""
    seconds: int | None = None
    tool_name: str = ""
    params: str = ""
    result: str = ""
    is_error: bool = False
    has_result: bool = False

    @property
    def timestamp(self) -> str:
        if self.seconds is None:
            return ""
        minutes, secs = divmod(self.seconds, 60)
        return f"{minutes:02d}:{secs:02d}"


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _seconds(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def transcript_items(transcript: list[Any]) -> list[TranscriptItem]:
    """Chat bubbles and tool cards, each tool call paired with its result by request id."""
    items: list[TranscriptItem] = []
    tools_by_request: dict[str, TranscriptItem] = {}
    for turn in transcript or []:
        if not isinstance(turn, dict):
            continue
        seconds = _seconds(turn.get("time_in_call_secs"))
        message = turn.get("message")
        if message not in (None, ""):
            role = "user" if turn.get("role") == "user" else "agent"
            items.append(
                TranscriptItem(kind="message", role=role, message=str(message), seconds=seconds)
            )
        for tool_call in turn.get("tool_calls") or []:
            if not isinstance(tool_call, dict):
                continue
            item = TranscriptItem(
                kind="tool",
                role="agent",
                seconds=seconds,
                tool_name=str(tool_call.get("tool_name") or "tool"),
                params=_pretty(tool_call.get("params_as_json") or tool_call.get("params") or ""),
            )
            items.append(item)
            if tool_call.get("request_id"):
                tools_by_request[str(tool_call["request_id"])] = item
        for result in turn.get("tool_results") or []:
            if not isinstance(result, dict):
                continue
            item = tools_by_request.get(str(result.get("request_id") or ""))
            if item is None:
                item = TranscriptItem(
                    kind="tool",
                    role="agent",
                    seconds=seconds,
                    tool_name=str(result.get("tool_name") or "tool"),
                )
                items.append(item)
            item.result = _pretty(result.get("result_value") or result.get("result") or "")
            item.is_error = bool(result.get("is_error"))
            item.has_result = True
    return items


# -- dashboard -------------------------------------------------------------------------


@dataclass
class DayBar:
    day: Any
    count: int
    x: int = 0
    height: int = 0
    y: int = 0


def dashboard_figures(zone, *, agency: Agency, now: datetime | None = None) -> dict[str, Any]:
    """`agency`'s dashboard numbers in a fixed number of index-range queries (each on an
    (agency_id, …) index), whatever the table size."""
    from datetime import timedelta

    from django.db.models import Avg, Count
    from django.utils import timezone

    now = timezone.localtime(now or timezone.now(), zone)
    today = now.date()
    week_start = datetime.combine(
        today - timedelta(days=today.weekday()), datetime.min.time(), tzinfo=zone
    )
    first_day = today - timedelta(days=29)
    month_start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)

    calls = Call.objects.filter(agency=agency)
    week = calls.filter(created_at__gte=week_start).aggregate(
        total=Count("id"),
        inbound=Count("id", filter=Q(direction=Call.Direction.INBOUND)),
        sms_sent=Count("id", filter=Q(sms_sent=True)),
        average_duration=Avg("duration", filter=Q(status=Call.Status.COMPLETED)),
    )
    days = [first_day + timedelta(days=offset) for offset in range(30)]
    per_day = _calls_per_day(days, zone, agency=agency)
    bars = [DayBar(day=day, count=count) for day, count in zip(days, per_day, strict=True)]
    peak = max((bar.count for bar in bars), default=0) or 1
    for index, bar in enumerate(bars):
        bar.x = index * 20
        bar.height = round(bar.count / peak * 100)
        bar.y = 110 - bar.height
    per_agent = _calls_per_agent(since=month_start, agency=agency)
    recent = list(calls.select_related("contact").order_by("-created_at")[:10])
    total = week["total"] or 0
    return {
        "week_total": total,
        "week_inbound_share": round(100 * week["inbound"] / total) if total else None,
        "week_sms_sent": week["sms_sent"] or 0,
        "week_average_duration": round(week["average_duration"])
        if week["average_duration"] is not None
        else None,
        "bars": bars,
        "bars_peak": peak if any(bar.count for bar in bars) else 0,
        "month_total": sum(bar.count for bar in bars),
        "per_agent": per_agent,
        "recent_calls": recent,
    }


def _calls_per_day(days: list, zone, *, agency: Agency) -> list[int]:
    """Calls on each local day, in one query of index range counts.

    Each day is a range of `created_at` between local midnights (DST-correct), counted by a
    scalar subquery that reads only the created_at index; grouping by a converted date would
    visit every row of the month through a per-row time-zone function instead.
    """
    from datetime import time, timedelta

    from django.db import connection

    field = Call._meta.get_field("created_at")
    table = connection.ops.quote_name(Call._meta.db_table)
    column = connection.ops.quote_name(field.column)
    agency_column = connection.ops.quote_name(Call._meta.get_field("agency").column)
    midnights = [datetime.combine(day, time.min, tzinfo=zone) for day in days]
    midnights.append(datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone))
    count = (
        f"(SELECT COUNT(*) FROM {table} "
        f"WHERE {agency_column} = %s AND {column} >= %s AND {column} < %s)"
    )
    agency_id = Call._meta.get_field("agency").get_db_prep_value(agency.pk, connection)
    params = []
    for start, end in zip(midnights, midnights[1:], strict=False):
        params += [
            agency_id,
            field.get_db_prep_value(start, connection),
            field.get_db_prep_value(end, connection),
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([count] * len(days)), params)
        return [int(n) for n in cursor.fetchone()]


def _calls_per_agent(*, since: datetime, agency: Agency) -> list[dict[str, Any]]:
    """Calls per agent since `since`, busiest first (range counts on the agent/date index)."""
    from django.db.models import Count, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from agents.models import Agent

    recent = (
        Call.objects.filter(agent=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("agent")
        .annotate(n=Count("*"))
        .values("n")
    )
    # Agents without calls are left out here, not by a filter on the count in SQL: that
    # would count each agent's calls a second time.
    rows = [
        {"agent_name": name, "count": count}
        for name, count in Agent.objects.filter(agency=agency)
        .annotate(count=Coalesce(Subquery(recent), Value(0)))
        .values_list("name", "count")
        if count > 0
    ]
    # Calls of deleted agents keep their agent_name but no agent: counted by that name.
    orphaned = (
        Call.objects.filter(agency=agency, agent=None, created_at__gte=since)
        .order_by()
        .values("agent_name")
        .annotate(count=Count("*"))
    )
    by_name: dict[str, int] = {}
    for entry in [*rows, *orphaned]:
        by_name[entry["agent_name"]] = by_name.get(entry["agent_name"], 0) + entry["count"]
    rows = [{"agent_name": name, "count": count} for name, count in by_name.items()]
    rows.sort(key=lambda row: (-row["count"], row["agent_name"]))
    return rows[:10]


@dataclass(frozen=True)
class LiveCall:
    call: Call
    elapsed_seconds: int
    # Past the result timeout: reconciliation asks the provider (calls.reconciling).
    overdue: bool


LIVE_CALLS_SHOWN = 50


def live_calls(*, agency: Agency, now: datetime | None = None) -> list[LiveCall]:
    """Calls placed and not yet ended (`initiated`), newest first, with time since dialled."""
    from calls.reconciling import result_timeout

    now = now or timezone.now()
    calls = (
        Call.objects.filter(agency=agency, status=Call.Status.INITIATED)
        .select_related("contact")
        .order_by("-created_at")[:LIVE_CALLS_SHOWN]
    )
    live = []
    for call in calls:
        elapsed = now - (call.started_at or call.created_at)
        live.append(
            LiveCall(
                call=call,
                elapsed_seconds=max(0, int(elapsed.total_seconds())),
                overdue=elapsed > result_timeout(),
            )
        )
    return live


# How often the dashboard asks again: often while calls are live, rarely when none are.
LIVE_POLL_SECONDS, IDLE_POLL_SECONDS = 5, 30


def live_calls_panel(*, agency: Agency) -> dict[str, Any]:
    """The dashboard's live-calls panel: the calls, and how soon to ask again."""
    live = live_calls(agency=agency)
    return {
        "live_calls": live,
        "live_poll_seconds": LIVE_POLL_SECONDS if live else IDLE_POLL_SECONDS,
    }
