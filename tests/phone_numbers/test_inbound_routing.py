"""Inbound calls are routed by the number called: its agency, its agent and its greeting,
then by the agent id ElevenLabs names. Answered in one indexed query once caches are warm."""

import json

import pytest
from django.urls import reverse

from phone_numbers.models import PhoneNumber
from tests.factories import make_agency, make_agent, make_contact, make_memory

URL = "/webhooks/elevenlabs/initiation"
AUTH = {"Authorization": "Bearer init-token-test"}
pytestmark = pytest.mark.django_db
CALLER = "+61412345678"


def ring(client, *, called_number, agent_id="agent_unknown", caller_id=CALLER):
    body = {
        "caller_id": caller_id,
        "agent_id": agent_id,
        "called_number": called_number,
        "call_sid": "CA" + "0" * 32,
    }
    response = client.post(URL, json.dumps(body), content_type="application/json", headers=AUTH)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def two_agencies(db):
    harbour, coastal = make_agency(name="Harbour Realty"), make_agency(name="Coastal Homes")
    lisa = make_agent(
        agency=harbour,
        name="Lisa",
        elevenlabs_agent_id="agent_lisa",
        greeting_message="Harbour here, hi {{caller_name}}.",
    )
    max_ = make_agent(
        agency=coastal,
        name="Max",
        elevenlabs_agent_id="agent_max",
        greeting_message="Coastal Homes, hello {{caller_name}}.",
    )
    PhoneNumber.objects.create(agency=harbour, number="+61280001111", agent=lisa)
    PhoneNumber.objects.create(agency=coastal, number="+61280002222", agent=max_)
    # The same person is a contact of both agencies, under different names.
    make_contact(agency=harbour, name="Priya", phone=CALLER)
    make_memory(make_contact(agency=coastal, name="Priya S", phone="+61412000000"))
    make_contact(agency=coastal, name="P. Sharma", phone=CALLER)
    return harbour, coastal


def test_each_agencys_number_gets_its_own_agent_greeting_and_contact(client, two_agencies):
    harbour_answer = ring(client, called_number="+61280001111", agent_id="agent_lisa")
    coastal_answer = ring(client, called_number="+61280002222", agent_id="agent_max")

    assert harbour_answer["dynamic_variables"]["agency_name"] == "Harbour Realty"
    assert harbour_answer["dynamic_variables"]["agent_name"] == "Lisa"
    assert harbour_answer["conversation_config_override"]["agent"]["first_message"] == (
        "Harbour here, hi Priya."
    )
    assert coastal_answer["dynamic_variables"]["agency_name"] == "Coastal Homes"
    assert coastal_answer["dynamic_variables"]["caller_name"] == "P. Sharma"
    assert coastal_answer["conversation_config_override"]["agent"]["first_message"] == (
        "Coastal Homes, hello P. Sharma."
    )


def test_the_called_number_wins_over_an_agent_id_of_another_agency(client, two_agencies):
    answer = ring(client, called_number="+61280002222", agent_id="agent_lisa")

    assert answer["dynamic_variables"]["agency_name"] == "Coastal Homes"
    assert answer["dynamic_variables"]["caller_name"] == "P. Sharma"
    assert answer["dynamic_variables"]["agent_name"] == "Max"


def test_a_number_without_an_agent_uses_the_named_agent_only_of_its_own_agency(
    client, two_agencies
):
    harbour, _ = two_agencies
    PhoneNumber.objects.create(agency=harbour, number="+61280003333")

    own = ring(client, called_number="+61280003333", agent_id="agent_lisa")
    foreign = ring(client, called_number="+61280003333", agent_id="agent_max")

    assert own["dynamic_variables"]["agent_name"] == "Lisa"
    assert foreign["dynamic_variables"]["agent_name"] == ""
    assert foreign["dynamic_variables"]["agency_name"] == "Harbour Realty"
    assert "conversation_config_override" not in foreign


def test_an_unknown_number_falls_back_to_the_agent_id(client, two_agencies):
    answer = ring(client, called_number="+61299999999", agent_id="agent_max")

    assert answer["dynamic_variables"]["agent_name"] == "Max"
    assert answer["dynamic_variables"]["caller_name"] == "P. Sharma"


def test_an_inactive_or_outbound_only_number_does_not_route(client, two_agencies):
    PhoneNumber.objects.filter(number="+61280002222").update(active=False)

    answer = ring(client, called_number="+61280002222", agent_id="agent_lisa")

    assert answer["dynamic_variables"]["agent_name"] == "Lisa"


def test_routing_by_number_takes_one_query_once_caches_are_warm(
    client, two_agencies, django_assert_max_num_queries
):
    ring(client, called_number="+61280002222", caller_id="+61499000000")
    with django_assert_max_num_queries(1):
        answer = ring(client, called_number="+61280002222")
    assert answer["dynamic_variables"]["caller_name"] == "P. Sharma"


def test_changing_a_numbers_agent_reaches_the_next_call_at_once(
    staff_client, two_agencies, staff_user
):
    harbour, _ = two_agencies
    from agencies.models import Membership

    Membership.objects.filter(user=staff_user).update(agency=harbour)
    other = make_agent(agency=harbour, name="Tom", greeting_message="Tom speaking.")
    ring(staff_client, called_number="+61280001111")
    number = PhoneNumber.objects.get(number="+61280001111")

    staff_client.post(
        reverse("phone_numbers:edit", args=[number.id]),
        {"label": "", "direction": "both", "agent": str(other.id), "active": "on"},
    )

    answer = ring(staff_client, called_number="+61280001111")
    assert answer["conversation_config_override"]["agent"]["first_message"] == "Tom speaking."


def test_editing_or_disabling_the_numbers_agent_reaches_the_next_call_at_once(
    staff_client, two_agencies, staff_user
):
    harbour, _ = two_agencies
    from agencies.models import Membership
    from agents.models import Agent

    Membership.objects.filter(user=staff_user).update(agency=harbour)
    lisa = Agent.objects.get(name="Lisa")
    ring(staff_client, called_number="+61280001111")  # cached

    staff_client.post(reverse("agents:toggle", args=[lisa.id]), {"enabled": "0"})

    answer = ring(staff_client, called_number="+61280001111")
    assert "isn't taking calls" in answer["conversation_config_override"]["agent"]["first_message"]
