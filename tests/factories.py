"""Small factory functions: arrange a test in one readable line."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, Membership
from agents.models import Agent
from calls.models import Call
from contacts.models import Contact, Memory

_sequence = itertools.count(1)


def make_agency(**fields) -> Agency:
    n = next(_sequence)
    defaults = {"name": f"Agency {n}", "slug": f"agency-{n}"}
    return Agency.objects.create(**{**defaults, **fields})


def default_agency() -> Agency:
    """The agency tests act in unless they say otherwise.

    It is the install's first agency (the oldest), like the one agency of an upgraded
    install: rows nothing assigns elsewhere (a webhook for an unknown agent) land in it.
    """
    agency, created = Agency.objects.get_or_create(
        slug="test-agency", defaults={"name": "Test Agency"}
    )
    if created:
        first = Agency.objects.order_by("created_at").values_list("created_at", flat=True)[0]
        agency.created_at = first - timedelta(seconds=1)
        Agency.objects.filter(pk=agency.pk).update(created_at=agency.created_at)
    return agency


def make_staff_user(
    username: str = "staff",
    password: str = "correct-horse-battery",
    *,
    agency: Agency | None = None,
    role: str = Membership.Role.OWNER,
):
    """A staff user who is a member (by default the owner) of `agency` (default_agency())."""
    user = get_user_model().objects.create_user(username=username, password=password, is_staff=True)
    Membership.objects.create(user=user, agency=agency or default_agency(), role=role)
    return user


def make_agent(**fields) -> Agent:
    defaults = {
        "agency": fields.get("agency") or default_agency(),
        "name": f"Agent {next(_sequence)}",
        "system_prompt": "You are {{agent_name}} from {{agency_name}}.",
        "greeting_message": "Hi {{caller_name}}, thanks for calling {{agency_name}}.",
        "template": Agent.Template.PROPERTY_SALES,
    }
    return Agent.objects.create(**{**defaults, **fields})


def make_contact(**fields) -> Contact:
    n = next(_sequence)
    defaults = {"name": f"Contact {n}", "phone": f"+614{n:08d}"}
    if "agency" not in fields and "agency_id" not in fields:
        defaults["agency"] = default_agency()
    return Contact.objects.create(**{**defaults, **fields})


def make_memory(contact: Contact, content: str = "Prefers Saturday inspections", **fields):
    fields.setdefault("agency", contact.agency)
    return Memory.objects.create(contact=contact, content=content, **fields)


def make_call(**fields) -> Call:
    n = next(_sequence)
    agent = fields.pop("agent", None)
    started = fields.pop("started_at", timezone.now() - timedelta(minutes=5))
    agency = fields.pop("agency", None) or getattr(agent, "agency", None) or default_agency()
    defaults = {
        "agency": agency,
        "agent": agent,
        "agent_name": agent.name if agent else "",
        "elevenlabs_conversation_id": f"conv_test{n:06d}",
        "direction": Call.Direction.INBOUND,
        "status": Call.Status.COMPLETED,
        "from_phone": "+61412345678",
        "to_phone": "+61280001234",
        "summary": "Caller asked about an inspection.",
        "transcript": [
            {"role": "agent", "message": "Hi, thanks for calling.", "time_in_call_secs": 0},
            {"role": "user", "message": "Is the house still available?", "time_in_call_secs": 3},
        ],
        "duration": 145,
        "started_at": started,
        "ended_at": started + timedelta(seconds=145),
    }
    return Call.objects.create(**{**defaults, **fields})


def update_agency(agency: Agency | None = None, **fields) -> Agency:
    """Change fields of `agency` (default_agency()) and save, as the settings page does."""
    agency = agency or default_agency()
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.save()
    return agency


def make_campaign(**fields):
    """A campaign of `agency` (default_agency() unless given)."""
    from campaigns.models import Campaign

    defaults = {"name": f"Campaign {next(_sequence)}"}
    fields.setdefault("agency", default_agency())
    return Campaign.objects.create(**{**defaults, **fields})
