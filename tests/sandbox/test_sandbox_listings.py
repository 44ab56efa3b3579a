"""In the sandbox, a simulated caller asks about a current listing: the simulated ElevenLabs
calls the agent's search_listings tool through Voqo's function proxy and the agent answers
with what the tool returned."""

import json

import pytest
from django.urls import reverse

from calls.models import Call
from listings.models import Listing
from listings.tool import set_search_tool
from tests.factories import default_agency, make_agent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("within_calling_hours"),
]


@pytest.fixture
def voqo_reachable(live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server


def test_a_simulated_caller_asks_about_a_current_listing_and_the_tool_answers(
    voqo_reachable, client, staff_user
):
    client.force_login(staff_user)
    agency = default_agency()
    listing = Listing.objects.create(
        agency=agency,
        unique_id="SBX-1",
        street_address="12 Ocean Street",
        suburb="Bondi",
        state="NSW",
        postcode="2026",
        category="House",
        price=1_450_000,
        price_text="Guide $1.45m",
        bedrooms=4,
        status="current",
    )
    Listing.objects.create(agency=agency, unique_id="SBX-2", suburb="Mudgee", status="sold")
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_lisa")
    assert set_search_tool(agent=agent, enabled=True) == []

    response = client.post(
        reverse("sandbox_simulate_inbound", args=[agent.id]), {"from_phone": "0412 345 678"}
    )

    assert response.status_code == 302
    call = Call.objects.get()
    turns = [turn for turn in call.transcript if turn.get("tool_calls")]
    (turn,) = turns
    assert turn["tool_calls"][0]["tool_name"] == "search_listings"
    assert json.loads(turn["tool_calls"][0]["params_as_json"]) == {"suburb": "Bondi"}
    answer = json.loads(turn["tool_results"][0]["result_value"])
    assert [result["id"] for result in answer["results"]] == ["SBX-1"]
    spoken = " ".join(t["message"] for t in call.transcript)
    assert "12 Ocean Street, Bondi NSW 2026" in spoken and "Guide $1.45m" in spoken
    # The listing page names the call.
    page = client.get(reverse("listings:detail", args=[listing.pk]))
    assert list(page.context["calls"]) == [call]
