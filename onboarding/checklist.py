"""The dashboard's getting-started checklist: six steps from a fresh install to a first call.

Read on every dashboard view (benchmarked at 1M calls): one query of EXISTS subqueries
while the checklist shows, none once it is dismissed (a flag in the cached settings).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from agencies.models import PLACEHOLDER_AGENCY_NAME, Agency
from agents.models import Agent
from calls.models import DEMO_CONVERSATION_PREFIX, Call
from contacts.models import Contact
from onboarding.connections import missing_keys
from voqo.last_seen import SETTING_PREFIX
from voqo.models import Setting

DISMISSED_SETTING = "getting_started_dismissed"
SANDBOX_CHOSEN_SETTING = "sandbox_chosen"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    detail: str
    url: str
    link_text: str


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]
    sandbox: bool  # offer "Stay in the sandbox" while the keys step is open

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)


def getting_started(agency: Agency) -> Checklist | None:
    """`agency`'s checklist as it stands, or None once its staff dismissed it."""
    values = Setting.all_values(agency)
    if values.get(DISMISSED_SETTING):
        return None
    live = settings.VOQO_PROVIDER == "live"
    # Only this agency's rows count: another agency's first call is not this one's.
    queries: dict[str, QuerySet] = {
        "agent": Agent.objects.filter(agency=agency),
        "contact": Contact.objects.filter(agency=agency),
        "call": Call.objects.filter(agency=agency).exclude(
            elevenlabs_conversation_id__startswith=DEMO_CONVERSATION_PREFIX
        ),
    }
    if live:
        # Only a webhook that came from ElevenLabs itself proves the URL was pasted there.
        queries["webhook"] = Setting.objects.filter(
            agency__isnull=True, key=SETTING_PREFIX + "post_call", value__provider="live"
        )
    found = exists_each(queries)
    missing = missing_keys()
    if live:
        keys_done = not missing
        keys_detail = (
            "ElevenLabs and Twilio keys are set."
            if keys_done
            else "Still missing: " + ", ".join(missing) + "."
        )
        webhook_detail = (
            "ElevenLabs has delivered a signed post-call webhook."
            if found["webhook"]
            else "Done once ElevenLabs delivers its first signed post-call webhook."
        )
    else:
        keys_done = bool(values.get(SANDBOX_CHOSEN_SETTING))
        keys_detail = (
            "You chose the sandbox: calls and SMS are simulated until keys are set."
            if keys_done
            else "Set the keys in the environment, or keep trying Voqo in the sandbox."
        )
        webhook_detail = "Not needed in the sandbox: it delivers Voqo's webhooks itself."
    connections = reverse("onboarding:connections")
    steps = [
        Step(
            "agency",
            "Name your agency",
            agency.name != PLACEHOLDER_AGENCY_NAME,
            "Agents greet callers with it and SMS are signed with it.",
            reverse("settings"),
            "Agency settings",
        ),
        Step(
            "agent",
            "Create your first agent",
            found["agent"],
            "An agent answers and places calls with its own prompt and voice.",
            reverse("agents:create"),
            "Create an agent",
        ),
        Step(
            "keys",
            "Connect ElevenLabs and Twilio, or stay in the sandbox",
            keys_done,
            keys_detail,
            connections,
            "Provider keys",
        ),
        Step(
            "webhooks",
            "Paste Voqo's webhook URLs into ElevenLabs and Twilio",
            found["webhook"] if live else True,
            webhook_detail,
            connections,
            "Webhook URLs to paste",
        ),
        Step(
            "call",
            "Make a test call",
            found["call"],
            "Call your own mobile and hear the agent (demo calls do not count).",
            reverse("contacts:call_number"),
            "Call a number",
        ),
        Step(
            "contacts",
            "Add your first contacts",
            found["contact"],
            "Import a CSV from your CRM or phone, or add someone by hand.",
            reverse("contacts:import"),
            "Import contacts",
        ),
    ]
    return Checklist(steps=steps, sandbox=not live and not keys_done)


def exists_each(queries: dict[str, QuerySet]) -> dict[str, bool]:
    """Whether each queryset has a row, asked in one `SELECT EXISTS(...), EXISTS(...)`."""
    parts, params = [], []
    for queryset in queries.values():
        sql, query_params = queryset.order_by().values("pk")[:1].query.sql_with_params()
        parts.append(f"EXISTS({sql})")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: bool(value) for name, value in zip(queries, row, strict=True)}
