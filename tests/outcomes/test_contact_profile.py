"""The contact's profile learns typed facts from calls (with the call and time they came
from), is edited on the contact page, and is part of the next call's caller context."""

import json

import pytest

from calls.models import Call, WebhookEvent
from contacts.models import Contact
from tests.calls.conftest import post_event
from tests.factories import make_contact, make_memory
from tests.outcomes.conftest import analysed_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers_washed")]
INITIATION = "/webhooks/elevenlabs/initiation"
AUTH = {"Authorization": "Bearer init-token-test"}


def ask_initiation(client, phone="+61412345678"):
    body = {"caller_id": phone, "agent_id": "agent_8701k3example", "called_number": "+61280001234"}
    return client.post(INITIATION, json.dumps(body), content_type="application/json", headers=AUTH)


BUYER = {
    "outcome": "buyer_enquiry",
    "buyer_enquiry__suburbs": "Bondi, Coogee",
    "buyer_enquiry__budget": "$1,800,000",
    "buyer_enquiry__bedrooms": 3,
    "buyer_enquiry__finance_status": "pre-approved",
}


def test_a_buyer_enquiry_teaches_the_profile_with_provenance(client, agent):
    post_event(client, analysed_call(BUYER))

    call = Call.objects.get()
    profile = Contact.objects.get(phone="+61412345678").profile
    assert profile["role"]["value"] == "buyer"
    assert profile["suburbs"]["value"] == ["Bondi", "Coogee"]
    assert profile["budget"]["value"] == 1800000
    assert profile["bedrooms"]["value"] == 3
    assert profile["finance"]["value"] == "pre-approved"
    assert {entry["call_id"] for entry in profile.values()} == {str(call.pk)}
    assert {entry["source"] for entry in profile.values()} == {"call"}


def test_bookings_add_up_across_calls(client, agent):
    post_event(
        client,
        analysed_call(
            {
                "outcome": "inspection_booked",
                "inspection_booked__listing": "12 Ocean Street",
                "inspection_booked__time": "2026-03-14T10:00",
            }
        ),
    )
    post_event(
        client,
        analysed_call(
            {"outcome": "inspection_booked", "inspection_booked__listing": "4 Wattle Avenue"},
            conversation_id="conv_second",
        ),
    )

    profile = Contact.objects.get().profile
    assert profile["properties"]["value"] == ["12 Ocean Street", "4 Wattle Avenue"]
    assert profile["inspections"]["value"] == [
        "12 Ocean Street, Sat 14 Mar 2026, 10:00 AM",
        "4 Wattle Avenue",
    ]


def test_the_profile_is_in_the_next_calls_context_in_the_same_single_query(
    client, agent, django_assert_max_num_queries
):
    post_event(client, analysed_call(BUYER))
    make_memory(Contact.objects.get(), "Has a dog")
    ask_initiation(client, phone="+61499000000")  # warms the settings and agent caches

    with django_assert_max_num_queries(1):
        answer = ask_initiation(client).json()

    context = answer["dynamic_variables"]["caller_context"]
    assert "Profile:\n- Role: buyer\n- Suburbs of interest: Bondi, Coogee" in context
    assert "- Budget ($): $1,800,000" in context
    assert "Known facts:\n- Has a dog" in context


def test_an_outbound_call_carries_the_profile_too(staff_client, agent, within_calling_hours):
    priya = make_contact(name="Priya", phone="+61412345678")
    priya.profile = {"role": {"value": "seller", "source": "manual"}}
    priya.save()

    staff_client.post(f"/contacts/{priya.pk}/call/", {"agent": agent.pk})

    call = Call.objects.get()
    assert "Profile:\n- Role: seller" in call.dynamic_variables["caller_context"]


def test_staff_edit_the_profile_on_the_contact_page(staff_client, staff_user):
    contact = make_contact(name="Priya")

    response = staff_client.post(
        f"/outcomes/contacts/{contact.pk}/profile/",
        {"role": "landlord", "suburbs": "Manly, Manly, Mosman", "budget": "950000"},
    )

    assert response.status_code == 302
    profile = Contact.objects.get().profile
    assert profile["role"]["value"] == "landlord"
    assert profile["suburbs"]["value"] == ["Manly", "Mosman"]
    assert profile["budget"]["value"] == 950000
    assert profile["role"]["source"] == "manual" and profile["role"]["by"] == staff_user.username
    page = staff_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Landlord" in page or "landlord" in page
    assert f"set by {staff_user.username}" in page


def test_a_budget_that_is_not_a_number_is_refused_with_a_message(staff_client):
    contact = make_contact(name="Priya")

    response = staff_client.post(
        f"/outcomes/contacts/{contact.pk}/profile/", {"budget": "lots"}, follow=True
    )

    assert "Budget ($): Budget ($) must be a number." in response.content.decode()
    assert not Contact.objects.get().profile


def test_clearing_a_fact_removes_it(staff_client):
    contact = make_contact(name="Priya")
    contact.profile = {"finance": {"value": "pre-approved", "source": "call"}}
    contact.save()

    staff_client.post(f"/outcomes/contacts/{contact.pk}/profile/", {"finance": ""})

    assert Contact.objects.get().profile == {}


def test_a_redelivery_does_not_duplicate_what_was_learned(client, agent):
    payload = analysed_call(
        {"outcome": "inspection_booked", "inspection_booked__listing": "12 Ocean Street"}
    )
    post_event(client, payload)
    WebhookEvent.objects.all().delete()
    post_event(client, payload)

    assert Contact.objects.get().profile["properties"]["value"] == ["12 Ocean Street"]
