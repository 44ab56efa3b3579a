"""Trying an agent before it goes live: exactly what it would be told on a call."""

from __future__ import annotations

from dataclasses import dataclass

from agents.models import Agent
from contacts.models import Contact
from contacts.personalisation import caller_variables
from voqo.dynamic_variables import fill_variables


@dataclass(frozen=True)
class AgentBriefing:
    """The dynamic variables, greeting and prompt a call would start with."""

    variables: dict[str, str]
    greeting: str
    prompt: str
    contact: Contact | None


def agent_briefing(
    *, agent: Agent, caller_phone: str = "", campaign_values: dict[str, str] | None = None
) -> AgentBriefing:
    """What `agent` is told on a call from `caller_phone` (the agency's contact with that
    number, if any) with a campaign row's `campaign_values`, variables filled in."""
    contact = (
        Contact.objects.filter(agency=agent.agency, phone=caller_phone).first()
        if caller_phone
        else None
    )
    variables = {
        **dict.fromkeys(agent.campaign_variables(), ""),
        **(campaign_values or {}),
        **caller_variables(
            phone=caller_phone, contact=contact, agent_name=agent.name, agency=agent.agency
        ),
    }
    return AgentBriefing(
        variables=variables,
        greeting=fill_variables(agent.greeting_message, variables),
        prompt=fill_variables(agent.system_prompt, variables),
        contact=contact,
    )
