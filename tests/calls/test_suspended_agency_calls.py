"""A suspended agency places no call: "Call now" is refused before anything is dialled, and a
call prepared before the suspension is not dialled either."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from calls.models import Call
from calls.outbound import OutboundCallRefused, dial_outbound_call, prepare_outbound_call
from tests.factories import default_agency, make_agent, make_contact

OUTBOUND = "/v1/convai/twilio/outbound-call"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("within_calling_hours")]


def _suspend(agency) -> None:
    Agency.objects.filter(pk=agency.pk).update(active=False, suspended_reason="Unpaid invoice")


@pytest.fixture
def agent(db):
    default_agency()  # the agency the agent belongs to, whichever app assigns it
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


def test_call_now_is_refused_for_a_suspended_agency(staff_client, agent, provider):
    contact = make_contact(name="Priya", phone="+61412345678")
    _suspend(default_agency())

    response = staff_client.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})

    assert response.status_code == 302
    flashes = [str(m) for m in response.wsgi_request._messages]
    assert any("suspended" in flash for flash in flashes), flashes
    assert not Call.objects.exists()
    assert not provider.requests_to("POST", OUTBOUND)


def test_a_call_prepared_before_the_suspension_is_not_dialled(agent, provider):
    call = prepare_outbound_call(
        agent=agent, agency=default_agency(), to_phone="+61412345678", dynamic_variables={}
    )
    _suspend(default_agency())
    call.agency.refresh_from_db()

    with pytest.raises(OutboundCallRefused, match="suspended"):
        dial_outbound_call(call)

    call.refresh_from_db()
    assert call.status == "failed" and "suspended" in call.failure_reason
    assert not provider.requests_to("POST", OUTBOUND)


@pytest.fixture
def provider(live_provider_settings):
    return live_provider_settings
