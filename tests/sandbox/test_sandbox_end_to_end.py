"""A sandbox call runs the REAL pipeline: the simulated call POSTs its signed webhook over
HTTP to Voqo's own post-call view (pytest-django's live_server), which records the call.
Q runs tasks inline in tests, so each call has ended when the dialling code returns."""

import pytest
from django.db import transaction
from django.urls import reverse

from calls.models import Call
from calls.outbound import place_outbound_call
from contacts.personalisation import caller_variables
from sandbox.models import SandboxConversation
from tests.factories import make_agent, make_contact, make_memory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("within_calling_hours", "numbers_washed"),
]


@pytest.fixture
def voqo_reachable(live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server


def call_contact(agent, contact, **extra_variables):
    variables = {
        **caller_variables(
            phone=contact.phone, contact=contact, agent_name=agent.name, agency=agent.agency
        ),
        **extra_variables,
    }
    # Inside a transaction the sandbox's call "ends" only after commit, so the dialling code
    # stores the conversation id first — as it always does in real time.
    with transaction.atomic():
        call = place_outbound_call(
            agent=agent, to_phone=contact.phone, dynamic_variables=variables, contact=contact
        )
    call.refresh_from_db()
    return call


def test_a_sandbox_outbound_call_is_recorded_through_the_real_webhook(voqo_reachable, settings):
    settings.SANDBOX_FAILURE_RATE = 0
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_lisa")
    contact = make_contact(name="Priya", phone="+61412345678")
    make_memory(contact, "Budget around $1.8M")

    call = call_contact(agent, contact, property_address="5 Elm Street, Coogee")

    conversation = SandboxConversation.objects.get()
    assert conversation.delivery_status == 200
    assert Call.objects.count() == 1
    assert call.elevenlabs_conversation_id == conversation.conversation_id
    assert call.status == Call.Status.COMPLETED
    assert call.direction == Call.Direction.OUTBOUND
    assert "5 Elm Street, Coogee" in call.summary
    assert call.transcript[0]["message"].startswith("Hi Priya, it's Lisa")
    assert call.duration and call.duration > 0
    new_facts = set(
        conversation.payload["data"]["analysis"]["data_collection_results"]["caller_memories"][
            "value"
        ].split("\n")
    )
    assert new_facts <= set(contact.memories.values_list("content", flat=True))


def test_an_unanswered_sandbox_call_is_marked_by_the_real_pipeline(voqo_reachable, settings):
    settings.SANDBOX_FAILURE_RATE = 1
    agent = make_agent(elevenlabs_agent_id="agent_sbx_1")
    contact = make_contact(phone="+61412999888")

    call = call_contact(agent, contact)

    assert call.status in (Call.Status.NO_ANSWER, Call.Status.BUSY)
    assert Call.objects.count() == 1


def test_simulate_inbound_call_records_an_inbound_call(voqo_reachable, client, staff_user):
    client.force_login(staff_user)
    agent = make_agent(name="Max", template="property_manager", elevenlabs_agent_id="agent_sbx_max")
    contact = make_contact(name="Priya", phone="+61412345678")
    make_memory(contact, "Tenant at 12 Ocean Street")

    response = client.post(
        reverse("sandbox_simulate_inbound", args=[agent.id]), {"from_phone": "0412 345 678"}
    )

    assert response.status_code == 302
    call = Call.objects.get()
    assert call.direction == Call.Direction.INBOUND
    assert call.from_phone == "+61412345678"
    assert call.agent == agent and call.contact == contact
    assert call.status == Call.Status.COMPLETED
    # The initiation webhook told the simulated agent who was calling.
    assert "Priya" in call.transcript[0]["message"] or "Priya" in call.summary
    assert "tenant at 12 ocean street" in " ".join(t["message"] for t in call.transcript).lower()


def test_the_sandbox_inbound_call_command_rings_an_agent_by_name(voqo_reachable):
    import io

    from django.core.management import call_command

    make_agent(name="Max", elevenlabs_agent_id="agent_sbx_max")
    out = io.StringIO()

    call_command("sandbox_inbound_call", "--from", "0412 345 678", "--agent", "max", stdout=out)

    assert "+61412345678 is calling Max" in out.getvalue()
    assert Call.objects.get().from_phone == "+61412345678"


def test_the_follow_up_sms_of_a_sandbox_call_lands_in_the_outbox(voqo_reachable, settings):
    from sandbox.models import SandboxMessage

    settings.SANDBOX_FAILURE_RATE = 0
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_lisa")
    contact = make_contact(name="Priya", phone="+61412345678")

    call_contact(agent, contact)

    message = SandboxMessage.objects.get()
    assert message.to_phone == "+61412345678"
    assert "Priya" in message.body
