"""The built-in search_listings tool, as ElevenLabs calls it through the function proxy:
exact, current, at most 5 compact results with the next inspection."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from functions.models import CustomFunction, FunctionInvocation
from listings.models import Listing, ListingMention
from tests.factories import default_agency, make_agency, make_agent, make_call
from tests.listings.helpers import upload_reaxml

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.fixture
def early_march():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SYDNEY), tick=True):
        yield


@pytest.fixture
def tool(staff_client, early_march):
    upload_reaxml(staff_client, "every_kind.xml")
    agent = make_agent(name="Lisa")
    response = staff_client.post(f"/knowledge/agent/{agent.pk}/", {"search_tool": "on"})
    assert response.status_code == 302
    function = CustomFunction.objects.get(agent=agent, builtin="search_listings")
    assert function.enabled and function.elevenlabs_tool_id  # synced as a webhook tool
    return function


def ask(client, function, conversation_id="conv_abc123", **arguments):
    response = client.post(
        f"/functions/{function.pk}/invoke",
        arguments,
        content_type="application/json",
        headers={
            "X-Voqo-Function-Token": function.invocation_token,
            "X-Conversation-Id": conversation_id,
        },
    )
    assert response.status_code == 200
    return response.json()


def test_a_suburb_search_answers_the_current_listing_with_its_next_inspection(client, tool):
    answer = ask(client, tool, suburb="bondi")

    assert answer["total"] == 1
    (house,) = answer["results"]
    assert house == {
        "id": "RES-1",
        "address": "12 Ocean Street, Bondi NSW 2026",
        "type": "House",
        "for": "sale",
        "price": "Guide $1.4m - $1.5m",
        "features": "4 bed, 2 bath, 2 car",
        "headline": "Light-filled family home near the beach",
        "next_inspection": "Saturday 14 March 10am to 10:30am",
        "listing_agent": "Mary Lee",
    }
    invocation = FunctionInvocation.objects.get(function=tool)
    assert invocation.status == "ok" and invocation.conversation_id == "conv_abc123"


def test_only_current_stock_is_ever_answered(client, tool):
    for suburb in ("Mudgee", "Sydney", "Penrith", "Newtown", "Byron Bay"):
        answer = ask(client, tool, suburb=suburb)
        assert answer["results"] == []
        assert "No current listing matches" in answer["message"]


def test_every_criterion_must_match(client, tool):
    assert [r["id"] for r in ask(client, tool, bedrooms=3)["results"]] == ["RES-1", "RES-2"]
    assert [r["id"] for r in ask(client, tool, listing_type="rent")["results"]] == ["RENT-1"]
    # The hidden land price still filters; a rental compares its weekly rent.
    assert [r["id"] for r in ask(client, tool, max_price=1_000_000)["results"]] == [
        "LAND-1",
        "RENT-1",
        "RES-2",
    ]
    assert [r["id"] for r in ask(client, tool, category="townhouse")["results"]] == ["RES-2"]
    assert [r["id"] for r in ask(client, tool, query="ocean")["results"]] == ["RES-1"]
    assert ask(client, tool, suburb="Bondi", bedrooms=5)["results"] == []


def test_hidden_addresses_and_prices_stay_hidden_and_offers_are_said(client, tool):
    (unit,) = ask(client, tool, suburb="Coogee")["results"]
    assert unit["address"] == "Coogee NSW 2034"
    assert "Hidden Lane" not in str(unit)
    assert unit["available_from"] == "1 April 2026"
    assert unit["next_inspection"].startswith("none scheduled")
    (land,) = ask(client, tool, suburb="Kellyville")["results"]
    assert land["price"] == "Contact agent"
    assert "650" not in str(land)
    (offer,) = ask(client, tool, category="Townhouse")["results"]
    assert offer["status"] == "under offer"


def test_at_most_five_results_with_the_total(client, tool, django_assert_max_num_queries):
    agency = default_agency()
    Listing.objects.bulk_create(
        Listing(
            agency=agency,
            unique_id=f"BULK-{n}",
            suburb="Bondi",
            suburb_key="bondi",
            price=1_000_000 + n,
            status="current",
        )
        for n in range(12)
    )

    with django_assert_max_num_queries(12):
        answer = ask(client, tool, suburb="Bondi")

    assert len(answer["results"]) == 5
    assert answer["total"] == 13
    assert "13 listings match" in answer["message"]


def test_a_tool_call_on_warm_stock_reads_five_statements(tool, django_assert_max_num_queries):
    elevenlabs = Client()  # no session cookie, as ElevenLabs calls
    ask(elevenlabs, tool, suburb="Bondi")  # builds this process's snapshot of the stock

    # The function with its agency, the stock's version, the listings found, the mentions
    # and the invocation log (plus the savepoint around the search and the log).
    with django_assert_max_num_queries(7):
        answer = ask(elevenlabs, tool, suburb="Bondi")

    assert answer["total"] == 1


def test_a_deleted_listing_leaves_the_answers_at_once(client, tool):
    ask(client, tool, suburb="Bondi")
    Listing.objects.filter(unique_id="RES-1").delete()

    assert ask(client, tool, suburb="Bondi")["results"] == []


def test_wrong_arguments_are_explained_to_the_agent(client, tool):
    answer = ask(client, tool, bedrooms="lots")

    assert "Some details were missing or invalid" in answer["error"]
    assert FunctionInvocation.objects.get().status == "error"


def test_another_agencys_listings_are_never_answered(client, tool):
    other = make_agency(name="Other Realty")
    Listing.objects.create(agency=other, unique_id="OTHER-1", suburb="Bondi", status="current")

    assert [r["id"] for r in ask(client, tool, suburb="Bondi")["results"]] == ["RES-1"]


def test_the_listing_page_shows_the_calls_whose_tool_calls_named_it(client, staff_client, tool):
    call = make_call(elevenlabs_conversation_id="conv_named_it")
    make_call(elevenlabs_conversation_id="conv_other")
    ask(client, tool, conversation_id="conv_named_it", suburb="Bondi")
    ask(client, tool, conversation_id="conv_other", suburb="Coogee")

    listing = Listing.objects.get(unique_id="RES-1")
    page = staff_client.get(f"/listings/{listing.pk}/")

    assert list(page.context["calls"]) == [call]
    assert ListingMention.objects.filter(listing=listing).count() == 1


def test_a_bad_token_is_refused(client, tool):
    response = client.post(
        f"/functions/{tool.pk}/invoke",
        {},
        content_type="application/json",
        headers={"X-Voqo-Function-Token": "wrong"},
    )
    assert response.status_code == 401


def test_switching_the_tool_off_detaches_it(staff_client, tool):
    staff_client.post(f"/knowledge/agent/{tool.agent_id}/", {})

    tool.refresh_from_db()
    assert not tool.enabled and tool.elevenlabs_tool_id == ""


def test_the_built_in_tool_cannot_be_edited_like_a_custom_function(staff_client, tool):
    response = staff_client.post(
        f"/functions/{tool.pk}/edit/",
        {"name": "renamed", "description": "x", "endpoint": "https://evil.example/"},
        follow=True,
    )

    tool.refresh_from_db()
    assert tool.name == "search_listings" and tool.endpoint.endswith("/invoke")
    assert "built into Voqo" in response.content.decode()
