"""Single calls respect the recipient's calling window; an owner may call anyway, with why."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agencies.models import Membership
from calls.models import Call
from calls.outbound import CallingWindowClosed, WindowOverride, place_outbound_call
from tests.factories import default_agency, make_agent, make_contact, make_staff_user
from voqo.models import Setting

OUTBOUND = "/v1/convai/twilio/outbound-call"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers_washed")]


def flashes(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


@pytest.fixture
def staff_user(db):
    """A member who is not an owner: only owners may call outside the window."""
    return make_staff_user(role="staff")


@pytest.fixture
def owner_client(client):
    owner = get_user_model().objects.create_superuser(username="owner", password="x")
    Membership.objects.create(user=owner, agency=default_agency(), role=Membership.Role.OWNER)
    client.force_login(owner)
    return client


def test_call_now_outside_the_window_is_refused_with_the_next_allowed_time(
    staff_client, agent, live_provider_settings, after_calling_hours
):
    priya = make_contact(name="Priya", phone="+61412345678")
    page = staff_client.get(reverse("contacts:detail", args=[priya.id])).content.decode()
    assert "Outside calling hours" in page and "Thu 12 Mar, 12:00 PM (Sydney time)" in page
    assert "Only an owner can call outside calling hours." in page

    response = staff_client.post(reverse("contacts:call", args=[priya.id]), {"agent": agent.id})

    (message,) = flashes(response)
    assert message.startswith("It is outside calling hours for Priya")
    assert "Voqo may call from Thu 12 Mar, 12:00 PM (Sydney time)" in message
    assert not live_provider_settings.requests_to("POST", OUTBOUND)
    assert not Call.objects.exists()


def test_a_contacts_state_gives_their_own_hours(
    staff_client, agent, live_provider_settings, after_calling_hours
):
    # 9 pm in Sydney is 6 pm in Perth: within a Perth contact's hours.
    perth = make_contact(name="Wes", phone="+61412345678", state="WA")
    response = staff_client.post(reverse("contacts:call", args=[perth.id]), {"agent": agent.id})
    assert flashes(response) == ["Calling +61412345678 with Lisa…"]
    assert len(live_provider_settings.requests_to("POST", OUTBOUND)) == 1


def test_the_agencys_state_applies_to_numbers_without_one(
    staff_client, agent, live_provider_settings, after_calling_hours
):
    Setting.set_value("default_state", "WA", default_agency())
    response = staff_client.post(
        reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 999 888"}
    )
    assert response.status_code == 302
    assert Call.objects.get().to_phone == "+61412999888"


def test_call_a_number_outside_the_window_stays_on_the_form(
    staff_client, agent, live_provider_settings, after_calling_hours
):
    response = staff_client.post(
        reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 999 888"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "It is outside calling hours for +61412999888" in html
    assert "Thu 12 Mar, 12:00 PM (Sydney time)" in html
    assert "Only an owner can call outside calling hours." in html
    assert 'name="call_anyway"' not in html
    assert not Call.objects.exists()


def test_a_non_owner_cannot_call_anyway_by_posting_the_button(
    staff_client, agent, live_provider_settings, after_calling_hours
):
    response = staff_client.post(
        reverse("contacts:call_number"),
        {"agent": agent.id, "phone": "0412 999 888", "call_anyway": "1", "override_reason": "x"},
    )
    assert "Only an owner can call outside calling hours." in flashes(response)[0]
    assert not live_provider_settings.requests_to("POST", OUTBOUND)


def test_an_owner_calls_anyway_with_a_reason_kept_on_the_call(
    owner_client, agent, live_provider_settings, after_calling_hours
):
    priya = make_contact(name="Priya", phone="+61412345678")
    page = owner_client.get(reverse("contacts:detail", args=[priya.id])).content.decode()
    assert 'name="call_anyway"' in page and "Why call outside calling hours?" in page

    refused = owner_client.post(
        reverse("contacts:call", args=[priya.id]),
        {"agent": agent.id, "call_anyway": "1", "override_reason": "  "},
    )
    assert "Say why you are calling outside calling hours" in flashes(refused)[0]
    assert not Call.objects.exists()

    response = owner_client.post(
        reverse("contacts:call", args=[priya.id]),
        {"agent": agent.id, "call_anyway": "1", "override_reason": "She asked us to call tonight"},
    )

    call = Call.objects.get()
    assert response["Location"] == reverse("calls:detail", args=[call.id])
    assert (call.window_override_by, call.window_override_reason) == (
        "owner",
        "She asked us to call tonight",
    )
    assert len(live_provider_settings.requests_to("POST", OUTBOUND)) == 1
    detail = owner_client.get(response["Location"]).content.decode()
    assert "Called outside calling hours" in detail
    assert "by owner: “She asked us to call tonight”" in detail


def test_an_owner_on_call_a_number_gets_the_call_anyway_button(
    owner_client, agent, live_provider_settings, after_calling_hours
):
    url = reverse("contacts:call_number")
    form = {"agent": agent.id, "phone": "0412 999 888"}
    refused = owner_client.post(url, form).content.decode()
    assert 'name="call_anyway"' in refused

    owner_client.post(url, {**form, "call_anyway": "1", "override_reason": "Asked for it"})
    assert Call.objects.get().window_override_reason == "Asked for it"


def test_within_the_window_an_override_is_not_recorded(
    owner_client, agent, live_provider_settings, within_calling_hours
):
    owner_client.post(
        reverse("contacts:call_number"),
        {"agent": agent.id, "phone": "0412 999 888", "call_anyway": "1", "override_reason": "x"},
    )
    assert Call.objects.get().window_override_by == ""


def test_the_single_call_service_refuses_outside_the_window(agent, after_calling_hours):
    """The path the API will use: no view in between, the same rule."""
    with pytest.raises(CallingWindowClosed) as closed:
        place_outbound_call(agent=agent, to_phone="+61412345678", dynamic_variables={})
    assert closed.value.check.opens_at.hour == 1  # 12:00 in Sydney is 01:00 UTC
    staff = get_user_model().objects.create_user(username="staff", is_staff=True)
    with pytest.raises(Exception, match="Only an owner"):
        place_outbound_call(
            agent=agent,
            to_phone="+61412345678",
            dynamic_variables={},
            window_override=WindowOverride(user=staff, reason="asked"),
        )
    assert not Call.objects.exists()
