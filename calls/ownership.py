"""Which agency a call, event or SMS belongs to.

The agency of a post-call event is its agent's (ElevenLabs agent ids are global, so the
agent is found without knowing the agency); a call Voqo placed already carries its agency.
An event received at an agency's own webhook URL belongs to that agency; one at the
install's URL whose agent Voqo does not know belongs to the install's first agency, the one
the install-wide webhook URL has always served.
"""

from __future__ import annotations

from django.db.models import Model

from agencies.models import Agency


def install_agency() -> Agency:
    """The install's first agency (by creation): where rows go when nothing says otherwise."""
    agency = Agency.objects.order_by("created_at").first()
    if agency is None:
        # Migrations always leave one; a database emptied by hand gets it back.
        agency, _ = Agency.objects.get_or_create(slug="my-agency", defaults={"name": "My agency"})
    return agency


def agency_of(row: Model | None) -> Agency | None:
    """The agency a row of another app (agent, contact) belongs to, when it says."""
    return getattr(row, "agency", None) if row is not None else None
