"""POST /webhooks/elevenlabs/initiation: who is calling, answered before the phone is picked up."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from contacts.personalisation import initiation_answer
from tests.factories import make_agent, make_contact, make_memory, update_agency
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS

URL = "/webhooks/elevenlabs/initiation"
AUTH = {"Authorization": "Bearer init-token-test"}
pytestmark = pytest.mark.django_db


def ask(client, body, headers=AUTH):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", headers=headers)


def payload(caller_id="+61412345678", agent_id="agent_sales"):
    return {
        "caller_id": caller_id,
        "agent_id": agent_id,
        "called_number": "+61280001234",
        "call_sid": "CA0123456789abcdef0123456789abcdef",
    }


@pytest.fixture
def agent(db):
    return make_agent(
        name="Lisa",
        elevenlabs_agent_id="agent_sales",
        greeting_message="Hi {{caller_name}}, welcome back to {{agency_name}}! {{system__time}}",
    )


def test_a_known_caller_gets_name_context_and_a_personal_greeting(client, agent):
    update_agency(name="Harbour Realty")
    priya = make_contact(name="Priya", phone="+61412345678", notes="Selling in spring")
    make_memory(priya, "Budget around $1.8M")
    make_memory(priya, "Has a dog")

    response = ask(client, payload())

    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "conversation_initiation_client_data"
    variables = answer["dynamic_variables"]
    assert set(variables) == set(CALLER_VARIABLE_PLACEHOLDERS)
    assert variables["caller_name"] == "Priya"
    assert variables["caller_phone"] == "+61412345678"
    assert variables["agency_name"] == "Harbour Realty"
    assert variables["agent_name"] == "Lisa"
    assert variables["caller_context"] == (
        "Notes: Selling in spring\nKnown facts:\n- Has a dog\n- Budget around $1.8M"
    )
    assert answer["conversation_config_override"] == {
        "agent": {"first_message": "Hi Priya, welcome back to Harbour Realty! {{system__time}}"}
    }


def test_an_unknown_caller_still_gets_every_variable(client, agent):
    answer = ask(client, payload(caller_id="+61499000000")).json()
    variables = answer["dynamic_variables"]
    assert set(variables) == set(CALLER_VARIABLE_PLACEHOLDERS)
    assert variables["caller_name"] == "there"
    assert variables["caller_context"] == ""
    assert answer["conversation_config_override"]["agent"]["first_message"].startswith("Hi there,")


def test_a_withheld_number_gets_a_valid_answer(client, agent):
    answer = ask(client, payload(caller_id="anonymous")).json()
    assert answer["dynamic_variables"]["caller_name"] == "there"


def test_a_caller_id_in_national_format_still_finds_the_contact(client, agent):
    make_contact(name="Priya", phone="+61412345678")
    answer = ask(client, payload(caller_id="0412 345 678")).json()
    assert answer["dynamic_variables"]["caller_name"] == "Priya"


def test_date_and_time_are_in_the_agency_time_zone():
    agency = update_agency(time_zone="Australia/Perth")
    moment = datetime(2026, 11, 22, 8, 43, tzinfo=ZoneInfo("UTC"))  # 4:43 PM in Perth
    from contacts.personalisation import caller_variables

    variables = caller_variables(phone="+61412345678", contact=None, now=moment, agency=agency)
    assert variables["current_date"] == "Sunday 22 November 2026"
    assert variables["current_time"] == "4:43 PM"


def test_an_unknown_agent_gets_variables_but_no_greeting_override(client):
    answer = ask(client, payload(agent_id="agent_nobody")).json()
    assert answer["dynamic_variables"]["agent_name"] == ""
    assert "conversation_config_override" not in answer


def test_an_agent_without_a_greeting_gets_no_override(client):
    make_agent(elevenlabs_agent_id="agent_quiet", greeting_message="")
    answer = ask(client, payload(agent_id="agent_quiet")).json()
    assert "conversation_config_override" not in answer


def test_a_disabled_agent_tells_the_caller_the_line_is_not_taking_calls(client):
    update_agency(name="Harbour Realty")
    make_agent(elevenlabs_agent_id="agent_off", enabled=False)
    answer = ask(client, payload(agent_id="agent_off")).json()
    first_message = answer["conversation_config_override"]["agent"]["first_message"]
    assert first_message.startswith("Hi there, thanks for calling Harbour Realty.")
    assert "isn't taking calls" in first_message


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "init-token-test"},
        {"Authorization": "Basic init-token-test"},
    ],
)
def test_a_missing_or_wrong_token_is_refused(client, agent, headers):
    make_contact(name="Priya", phone="+61412345678")
    response = ask(client, payload(), headers=headers)
    assert response.status_code == 401
    assert "Priya" not in response.content.decode()


def test_bad_json_is_a_400(client):
    assert ask(client, b"{not json").status_code == 400
    assert ask(client, b"[1, 2]").status_code == 400


def test_only_post_is_allowed(client):
    assert client.get(URL, headers=AUTH).status_code == 405


def test_the_lookup_takes_at_most_two_queries(client, agent, django_assert_max_num_queries):
    # The budget is two indexed queries (contact, memories); Voqo does it in one join.
    priya = make_contact(name="Priya", phone="+61412345678")
    make_memory(priya, "Budget around $1.8M")
    ask(client, payload(caller_id="+61499000000"))  # warms the settings and agent caches
    with django_assert_max_num_queries(2) as captured:
        answer = ask(client, payload()).json()
    assert len(captured) == 1
    assert answer["dynamic_variables"]["caller_context"].endswith("Budget around $1.8M")


def test_an_unknown_caller_takes_one_query(client, agent, django_assert_max_num_queries):
    ask(client, payload(caller_id="+61499000000"))
    with django_assert_max_num_queries(1):
        ask(client, payload(caller_id="+61499000001"))


def test_caller_context_is_capped_and_keeps_the_newest_memories(agent):
    contact = make_contact(notes="n" * 100)
    for i in range(40):
        make_memory(contact, f"fact {i:02d} " + "x" * 60)
    answer = initiation_answer(caller_id=contact.phone, elevenlabs_agent_id="agent_sales")
    context = answer["dynamic_variables"]["caller_context"]
    assert len(context) <= 1500
    assert "fact 39" in context and "fact 00" not in context


def test_renaming_an_agent_reaches_the_answer_within_the_cache_time(client, agent):
    from django.core.cache import cache

    ask(client, payload())
    agent.name = "Maya"
    agent.save()
    assert ask(client, payload()).json()["dynamic_variables"]["agent_name"] == "Lisa"  # cached
    cache.clear()  # what the 60 s expiry does
    assert ask(client, payload()).json()["dynamic_variables"]["agent_name"] == "Maya"


def test_current_time_is_now(client, agent):
    answer = ask(client, payload()).json()
    local = timezone.now().astimezone(ZoneInfo("Australia/Sydney"))
    assert answer["dynamic_variables"]["current_date"] == local.strftime("%A %-d %B %Y")
