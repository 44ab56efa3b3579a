"""Phone numbers per agency: adding registers the number with ElevenLabs, choosing an agent
assigns it there, deleting removes it there. Asserted at the fake provider, which validates
every body against the official OpenAPI."""

import pytest
from django.urls import reverse

from agents.services import sync_agent
from phone_numbers.models import PhoneNumber
from tests.factories import make_agency, make_agent, make_staff_user

pytestmark = pytest.mark.django_db
NUMBERS = "/v1/convai/phone-numbers"
OWN_SID = "AC" + "1" * 32


def number_form(**overrides):
    return {
        "number": "02 8000 5555",
        "label": "Sales line",
        "direction": "both",
        "agent": "",
        "active": "on",
        "twilio_account_sid": "",
        "twilio_auth_token": "",
        **overrides,
    }


def test_adding_a_number_registers_it_with_elevenlabs_in_the_install_twilio_account(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    response = staff_client.post(reverse("phone_numbers:create"), number_form())

    assert response.status_code == 302
    number = PhoneNumber.objects.get()
    assert number.number == "+61280005555"
    body = fake.last_request("POST", NUMBERS).json
    assert body == {
        "provider": "twilio",
        "phone_number": "+61280005555",
        "label": "Sales line",
        "sid": fake.twilio_account_sid,
        "token": fake.twilio_auth_token,
        "supports_inbound": True,
        "supports_outbound": True,
    }
    assert number.elevenlabs_phone_number_id in fake.phone_numbers
    assert number.sync_error == ""
    page = staff_client.get(response["Location"]).content.decode()
    assert "registered with ElevenLabs" in page
    assert "+61280005555" in page


def test_a_number_in_its_own_twilio_account_registers_with_it_and_keeps_the_token_encrypted(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post(
        reverse("phone_numbers:create"),
        number_form(
            twilio_account_sid=OWN_SID, twilio_auth_token="own-secret", direction="inbound"
        ),
    )

    number = PhoneNumber.objects.get()
    assert fake.phone_number_credentials[number.elevenlabs_phone_number_id] == {
        "sid": OWN_SID,
        "token": "own-secret",
    }
    assert fake.last_request("POST", NUMBERS).json["supports_outbound"] is False
    assert number.twilio_auth_token == "own-secret"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT twilio_auth_token FROM phone_numbers")
        stored = cursor.fetchone()[0]
    assert "own-secret" not in stored
    # Editing without retyping the token keeps it.
    staff_client.post(
        reverse("phone_numbers:edit", args=[number.id]),
        number_form(twilio_account_sid=OWN_SID, direction="inbound", label="Renamed"),
    )
    number.refresh_from_db()
    assert number.label == "Renamed"
    assert number.twilio_auth_token == "own-secret"


def test_choosing_an_agent_assigns_the_number_to_it_at_elevenlabs(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    agent = make_agent(name="Lisa")
    sync_agent(agent)
    staff_client.post(reverse("phone_numbers:create"), number_form())
    number = PhoneNumber.objects.get()

    staff_client.post(
        reverse("phone_numbers:edit", args=[number.id]), number_form(agent=str(agent.id))
    )

    patch = fake.last_request("PATCH", f"{NUMBERS}/{number.elevenlabs_phone_number_id}").json
    assert patch == {"agent_id": agent.elevenlabs_agent_id}
    assigned = fake.phone_numbers[number.elevenlabs_phone_number_id]["assigned_agent"]
    assert assigned["agent_id"] == agent.elevenlabs_agent_id

    staff_client.post(reverse("phone_numbers:edit", args=[number.id]), number_form(agent=""))
    assert fake.phone_numbers[number.elevenlabs_phone_number_id]["assigned_agent"] is None


def test_a_number_assigned_before_its_agent_was_synced_is_assigned_on_the_first_sync(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    agent = make_agent(name="Lisa")
    staff_client.post(reverse("phone_numbers:create"), number_form(agent=str(agent.id)))
    number = PhoneNumber.objects.get()
    assert fake.phone_numbers[number.elevenlabs_phone_number_id]["assigned_agent"] is None

    sync_agent(agent)

    assigned = fake.phone_numbers[number.elevenlabs_phone_number_id]["assigned_agent"]
    assert assigned["agent_id"] == agent.elevenlabs_agent_id


def test_deleting_a_number_removes_it_at_elevenlabs_after_a_confirmation(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    staff_client.post(reverse("phone_numbers:create"), number_form())
    number = PhoneNumber.objects.get()
    url = reverse("phone_numbers:delete", args=[number.id])

    confirm = staff_client.get(url)
    assert "Delete +61280005555?" in confirm.content.decode()
    assert PhoneNumber.objects.exists()

    staff_client.post(url)
    assert not PhoneNumber.objects.exists()
    assert number.elevenlabs_phone_number_id not in fake.phone_numbers


def test_a_refused_registration_keeps_the_number_with_the_reason_and_a_retry(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    fake.fail_next("POST", NUMBERS, status=400, message="Invalid Twilio credentials")
    response = staff_client.post(reverse("phone_numbers:create"), number_form(), follow=True)

    number = PhoneNumber.objects.get()
    assert number.elevenlabs_phone_number_id == ""
    assert number.sync_error == "Invalid Twilio credentials"
    assert "ElevenLabs refused it: Invalid Twilio credentials" in response.content.decode()

    staff_client.post(reverse("phone_numbers:sync", args=[number.id]))
    number.refresh_from_db()
    assert number.registered and number.sync_error == ""


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"number": "12"}, "number", "not a valid"),
        ({"twilio_account_sid": "nonsense"}, "twilio_account_sid", "starts with AC"),
        ({"twilio_account_sid": OWN_SID}, "twilio_auth_token", "Give the auth token"),
        ({"twilio_auth_token": "x"}, "twilio_account_sid", "Give the account SID"),
        (
            {"direction": "inbound", "default_outbound": "on"},
            "default_outbound",
            "cannot be the default caller ID",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(staff_client, overrides, field, message):
    response = staff_client.post(reverse("phone_numbers:create"), number_form(**overrides))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not PhoneNumber.objects.exists()


def test_a_number_of_another_agency_cannot_be_added_again(staff_client):
    PhoneNumber.objects.create(agency=make_agency(), number="+61280005555")
    response = staff_client.post(reverse("phone_numbers:create"), number_form())

    assert "can belong to one agency only" in " ".join(response.context["form"].errors["number"])


def test_another_agencys_number_and_agents_are_out_of_reach(staff_client):
    theirs = make_agency()
    their_number = PhoneNumber.objects.create(agency=theirs, number="+61280009999")
    their_agent = make_agent(agency=theirs, name="Theirs")

    assert (
        staff_client.get(reverse("phone_numbers:edit", args=[their_number.id])).status_code == 404
    )
    assert (
        staff_client.post(reverse("phone_numbers:delete", args=[their_number.id])).status_code
        == 404
    )
    response = staff_client.post(
        reverse("phone_numbers:create"), number_form(agent=str(their_agent.id))
    )
    assert "agent" in response.context["form"].errors
    assert "+61280009999" not in staff_client.get(reverse("phone_numbers:list")).content.decode()


def test_only_managers_change_numbers(client):
    from agencies.models import Membership

    user = make_staff_user("viewer", role=Membership.Role.STAFF)
    client.force_login(user)
    assert client.get(reverse("phone_numbers:list")).status_code == 200
    assert client.post(reverse("phone_numbers:create"), number_form()).status_code == 403
    assert not PhoneNumber.objects.exists()


def test_one_default_caller_id_per_agency(staff_client):
    staff_client.post(reverse("phone_numbers:create"), number_form(default_outbound="on"))
    staff_client.post(
        reverse("phone_numbers:create"),
        number_form(number="02 8000 6666", default_outbound="on"),
    )

    defaults = PhoneNumber.objects.filter(default_outbound=True)
    assert [n.number for n in defaults] == ["+61280006666"]


def test_the_empty_list_says_what_numbers_are_for(staff_client):
    page = staff_client.get(reverse("phone_numbers:list")).content.decode()
    assert "No phone numbers yet" in page
