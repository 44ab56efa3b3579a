"""Owner-only safety overrides follow the agency role, not Django's superuser flag."""

import pytest
from django.urls import reverse

from calls.models import Call
from tests.factories import make_agent, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers_washed")]

OUTBOUND = "/v1/convai/twilio/outbound-call"
CALL_ANYWAY = {"phone": "0412 999 888", "call_anyway": "1", "override_reason": "Asked for it"}


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


def test_an_owner_of_the_agency_may_call_outside_the_window(
    client, agent, live_provider_settings, after_calling_hours
):
    client.force_login(make_staff_user(username="olivia", role="owner"))
    client.post(reverse("contacts:call_number"), {**CALL_ANYWAY, "agent": agent.id})
    assert Call.objects.get().window_override_by == "olivia"
    assert len(live_provider_settings.requests_to("POST", OUTBOUND)) == 1


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_other_roles_may_not(client, agent, live_provider_settings, after_calling_hours, role):
    client.force_login(make_staff_user(username="member", role=role))
    response = client.post(
        reverse("contacts:call_number"), {"agent": agent.id, **CALL_ANYWAY}, follow=True
    )
    assert "Only an owner can call outside calling hours." in response.content.decode()
    assert not Call.objects.exists()
    assert not live_provider_settings.requests_to("POST", OUTBOUND)
