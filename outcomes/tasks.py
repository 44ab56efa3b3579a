"""django-q2 entry points of the outcomes domain: thin, idempotent, they take ids."""

from __future__ import annotations

from agents.models import Agent
from agents.services import sync_agent
from outcomes import alerts


def send_call_alerts(call_id: str) -> int:
    return alerts.send_call_alerts(call_id)


def send_due_alerts() -> int:
    return alerts.send_due_alerts()


def sync_agency_agents(agency_id: str) -> int:
    """Sync every agent of the agency (its outcomes changed); returns how many synced."""
    agents = Agent.objects.filter(agency_id=agency_id).select_related("agency")
    return sum(sync_agent(agent) for agent in agents)
