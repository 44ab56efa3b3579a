"""Scheduled-call lateness against the fake provider, for `make bench` (figure i).

`count` calls are scheduled through the scheduling app for one moment, a weekday afternoon
inside every Australian calling window (the clock is moved there, and keeps ticking). When
the moment comes the scheduler runs as the worker's every-minute schedule runs it
(scheduling.tasks.place_due_calls), dialling through the live provider code against the fake
provider in its own process. Lateness is each call's dial (its call record, made just
before the provider request) minus its due time; the schedule's own tick interval (up to a
minute) comes on top.
"""

import statistics
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from agents.services import sync_agent
from bench.dispatch import fake_provider_process, fake_provider_settings
from calls.models import Call
from compliance.models import WashResult
from scheduling import services, tasks
from scheduling.models import ScheduledCall
from voqo.bulk import insert_rows

# A Tuesday, 2 pm in Sydney: noon in Perth, inside every state's telemarketing hours.
AFTERNOON = datetime(2026, 6, 16, 14, 0, tzinfo=ZoneInfo("Australia/Sydney"))


@contextmanager
def fake_provider():
    """The fake provider in its own process, as a real provider is."""
    with fake_provider_process() as url, override_settings(**fake_provider_settings(url)):
        yield url


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run_lateness(count: int = 200, lead: float = 2.0) -> dict:
    agency = Agency.objects.order_by("created_at").first()
    phones = [f"+6147{n:07d}" for n in range(count)]
    with fake_provider(), time_machine.travel(AFTERNOON, tick=True):
        agent = Agent.objects.create(
            agency=agency,
            name="Bench scheduler",
            system_prompt="You are {{agent_name}}.",
            greeting_message="Hi {{caller_name}}, it's {{agency_name}}.",
        )
        assert sync_agent(agent), agent.sync_error
        # Washed today and not on the register, as the single-call rules require.
        insert_rows(
            WashResult,
            (
                {
                    "id": uuid.uuid4(),
                    "agency_id": agency.pk,
                    "phone": phone,
                    "registered": False,
                    "dncr_checked_at": timezone.now(),
                    "source": "bench",
                }
                for phone in phones
            ),
        )
        due = timezone.now() + timedelta(seconds=lead)
        rows = []
        for start in range(0, count, services.MAX_RECIPIENTS):
            chunk = phones[start : start + services.MAX_RECIPIENTS]
            rows += services.schedule_call(
                agency=agency,
                agent=agent,
                recipients=services.recipients_for(agency=agency, phones=chunk),
                at=due,
            )
        while timezone.now() < due:
            time.sleep(0.005)
        ticks = 0
        pending = ScheduledCall.objects.filter(
            pk__in=[row.pk for row in rows], status=ScheduledCall.Status.PENDING
        )
        while pending.exists():
            tasks.place_due_calls()
            ticks += 1
        placed = ScheduledCall.objects.filter(pk__in=[row.pk for row in rows]).exclude(call=None)
        dialled = dict(
            Call.objects.filter(pk__in=placed.values("call_id")).values_list("pk", "created_at")
        )
        late = [
            (dialled[call_id] - scheduled_at).total_seconds() * 1000
            for call_id, scheduled_at in placed.values_list("call_id", "scheduled_at")
        ]
    return {
        "scheduled": count,
        "dialled": len(late),
        "ticks": ticks,
        "p50": statistics.median(late) if late else float("nan"),
        "p99": _percentile(late, 0.99) if late else float("nan"),
    }
