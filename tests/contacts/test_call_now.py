"""Calling a contact or a typed number: personalised, recorded at once, errors shown."""

import pytest
from django.urls import NoReverseMatch, reverse

from calls.models import Call
from contacts.models import Contact
from tests.factories import make_agent, make_contact, make_memory
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS

OUTBOUND = "/v1/convai/twilio/outbound-call"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("within_calling_hours", "numbers_washed"),
]


def call_page(call: Call) -> str:
    try:
        return reverse("calls:detail", args=[call.id])
    except NoReverseMatch:
        return reverse("calls:list")


def flashes(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


def test_call_now_sends_the_contacts_personalisation_and_records_the_call(
    staff_client, agent, live_provider_settings
):
    priya = make_contact(name="Priya", phone="+61412345678", notes="Selling in spring")
    make_memory(priya, "Has a dog")

    response = staff_client.post(reverse("contacts:call", args=[priya.id]), {"agent": agent.id})

    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == call_page(call)
    assert flashes(response) == ["Calling +61412345678 with Lisa…"]
    (sent,) = live_provider_settings.requests_to("POST", OUTBOUND)
    assert sent.json["agent_id"] == "agent_sales"
    assert sent.json["to_number"] == "+61412345678"
    assert "custom_llm_extra_body" not in sent.json
    variables = sent.json["conversation_initiation_client_data"]["dynamic_variables"]
    assert set(variables) == set(CALLER_VARIABLE_PLACEHOLDERS)
    assert variables["caller_name"] == "Priya"
    assert variables["agent_name"] == "Lisa"
    assert "Has a dog" in variables["caller_context"]

    conversation_id = live_provider_settings.outbound_calls[0]["conversation_id"]
    assert call.status == Call.Status.INITIATED
    assert call.direction == Call.Direction.OUTBOUND
    assert call.elevenlabs_conversation_id == conversation_id
    assert (call.contact, call.agent, call.to_phone) == (priya, agent, "+61412345678")
    # What the agent knew at call start is kept on the record for the call page.
    assert call.dynamic_variables == variables
    priya.refresh_from_db()
    assert priya.last_call_at == call.created_at


def test_a_provider_error_is_shown_and_the_call_is_marked_failed(
    staff_client, agent, live_provider_settings
):
    contact = make_contact(phone="+61412345678")
    live_provider_settings.fail_next("POST", OUTBOUND, 400, message="Phone number is not verified")

    response = staff_client.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})

    assert response["Location"] == reverse("contacts:detail", args=[contact.id])
    (message,) = flashes(response)
    assert message.startswith("The call could not be placed:")
    assert "Phone number is not verified" in message
    call = Call.objects.get()
    assert call.status == Call.Status.FAILED
    assert "Phone number is not verified" in call.failure_reason


def test_calling_a_typed_number_links_the_matching_contact(
    staff_client, agent, live_provider_settings
):
    priya = make_contact(name="Priya", phone="+61412345678")
    response = staff_client.post(
        reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 345 678"}
    )
    call = Call.objects.get()
    assert response["Location"] == call_page(call)
    assert call.contact == priya
    (sent,) = live_provider_settings.requests_to("POST", OUTBOUND)
    assert (
        sent.json["conversation_initiation_client_data"]["dynamic_variables"]["caller_name"]
        == "Priya"
    )


def test_calling_an_unknown_number_calls_them_there(staff_client, agent, live_provider_settings):
    staff_client.post(reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 999 888"})
    call = Call.objects.get()
    assert call.contact is None and call.to_phone == "+61412999888"
    assert call.dynamic_variables["caller_name"] == "there"
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("1300 123 456", "not a mobile or landline"),
        ("12", "not a valid phone number"),
        ("", "required"),
    ],
)
def test_a_number_voqo_must_not_dial_is_refused_on_the_form(
    staff_client, agent, live_provider_settings, phone, message
):
    response = staff_client.post(
        reverse("contacts:call_number"), {"agent": agent.id, "phone": phone}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not live_provider_settings.requests_to("POST", OUTBOUND)
    assert not Call.objects.exists()


def test_disabled_or_unsynced_agents_cannot_be_chosen(staff_client, live_provider_settings):
    disabled = make_agent(elevenlabs_agent_id="agent_off", enabled=False)
    unsynced = make_agent(elevenlabs_agent_id="")
    for agent in (disabled, unsynced):
        response = staff_client.post(
            reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 345 678"}
        )
        assert "Choose an enabled, synced agent." in response.content.decode()
    assert not live_provider_settings.requests_to("POST", OUTBOUND)
    assert not Call.objects.exists()


def test_an_opted_out_contact_is_never_called(staff_client, agent, live_provider_settings):
    from django.utils import timezone

    contact = make_contact(phone="+61412345678", opted_out_at=timezone.now(), opted_out_by="sms")
    detail = staff_client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert "will not call them" in detail

    response = staff_client.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})
    assert "has opted out" in flashes(response)[0]
    response = staff_client.post(
        reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 345 678"}
    )
    assert "has opted out" in flashes(response)[0]
    assert not live_provider_settings.requests_to("POST", OUTBOUND)
    assert not Call.objects.exists()


def test_the_contact_page_offers_only_callable_agents(staff_client, agent):
    make_agent(name="Switched off", elevenlabs_agent_id="agent_x", enabled=False)
    contact = make_contact()
    html = staff_client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert ">Lisa</option>" in html
    assert "Switched off" not in html
