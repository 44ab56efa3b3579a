"""The sandbox's calls end with the outcome the conversation reached, with details from the
caller and campaign variables, so demo data fills every chart."""

import pytest

from calls.models import Call
from outcomes.dispositions import REAL_ESTATE_DEFAULTS
from outcomes.models import Disposition, Outcome
from outcomes.recording import outcome_from_analysis
from sandbox.script import SimulatedCall, simulate_event
from tests.factories import default_agency
from voqo.providers.elevenlabs_webhooks import parse_event

NOW = 1_763_800_000
KEYS = {row[0] for row in REAL_ESTATE_DEFAULTS}


def a_call(n: int, template: str, **fields) -> SimulatedCall:
    return SimulatedCall(
        conversation_id=f"conv_sbx_outcome_{template}_{n}",
        agent_id="agent_sbx_1",
        direction="inbound",
        external_number="+61412345678",
        agent_number="+61280001234",
        call_sid="CAsbx1",
        template=template,
        agent_name="Lisa",
        **fields,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["property_sales", "property_manager", "custom"])
def test_every_simulated_conversation_has_a_known_outcome_with_usable_details(template):
    dispositions = {d.key: d for d in Disposition.objects.filter(agency=default_agency())}
    seen = set()
    for n in range(40):
        event = parse_event(simulate_event(a_call(n, template), failure_rate=0, now=NOW))
        fields = outcome_from_analysis(event, dispositions)
        assert fields["outcome_type"] in KEYS, fields
        assert fields["problems"] == [], fields["problems"]
        assert 0 < fields["confidence"] <= 1
        seen.add(fields["outcome_type"])
    assert len(seen) >= (1 if template == "property_manager" else 2)


def test_a_campaign_address_becomes_the_listing_of_a_booked_inspection():
    for n in range(40):
        call = a_call(n, "property_sales", dynamic_variables={"property_address": "5 Kent St"})
        analysis = simulate_event(call, failure_rate=0, now=NOW)["data"]["analysis"]
        values = {k: item["value"] for k, item in analysis["data_collection_results"].items()}
        if values["outcome"] == "inspection_booked":
            assert values["inspection_booked__listing"] == "5 Kent St"
            assert values["inspection_booked__time"].startswith("20")
            return
    raise AssertionError("no simulated inspection booking")


@pytest.mark.django_db
def test_demo_data_gives_every_chart_something(django_user_model):
    from django.core.management import call_command

    call_command("load_demo_data", verbosity=0)

    agency = Call.objects.order_by("created_at").first().agency
    kinds = set(Outcome.objects.filter(agency=agency).values_list("outcome_type", flat=True))
    assert len(kinds) >= 6
    assert not Call.objects.filter(agency=agency, status="completed", disposition="").exists()
