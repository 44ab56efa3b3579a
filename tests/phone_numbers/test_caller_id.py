"""Outbound calls go out from one of the agency's own active outbound numbers: the agency's
default, or the one chosen for the call or the job — never another agency's number."""

import pytest
from django.urls import reverse

from calls.models import Call
from campaigns import engine
from campaigns.models import Job
from phone_numbers.models import PhoneNumber
from tests.campaigns.helpers import OUTBOUND_PATH, make_job, mobiles
from tests.factories import default_agency, make_agency, make_agent, make_contact

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("within_calling_hours", "numbers_washed"),
]


def number(agency=None, e164="+61280001111", **fields):
    fields.setdefault("elevenlabs_phone_number_id", f"phnum_{e164[-4:]}")
    return PhoneNumber.objects.create(agency=agency or default_agency(), number=e164, **fields)


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


def dialled_from(fake) -> list[str]:
    return [r.json["agent_phone_number_id"] for r in fake.requests_to("POST", OUTBOUND_PATH)]


def test_call_now_goes_out_from_the_agencys_default_number(
    staff_client, agent, live_provider_settings
):
    number(e164="+61280001111")
    number(e164="+61280002222", default_outbound=True)
    contact = make_contact(phone="+61412345678")

    staff_client.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})

    assert dialled_from(live_provider_settings) == ["phnum_2222"]
    assert Call.objects.get().from_phone == "+61280002222"


def test_call_now_goes_out_from_the_number_chosen_for_the_call(
    staff_client, agent, live_provider_settings
):
    number(e164="+61280001111", default_outbound=True)
    chosen = number(e164="+61280002222")

    page = staff_client.get(reverse("contacts:call_number")).content.decode()
    assert "Call from" in page and "+61280002222" in page
    staff_client.post(
        reverse("contacts:call_number"),
        {"agent": agent.id, "phone": "0412 345 678", "caller_number": chosen.id},
    )

    assert dialled_from(live_provider_settings) == ["phnum_2222"]


def test_another_agencys_number_cannot_be_chosen_for_a_call(
    staff_client, agent, live_provider_settings
):
    number(e164="+61280001111", default_outbound=True)
    theirs = number(agency=make_agency(), e164="+61280009999")

    response = staff_client.post(
        reverse("contacts:call_number"),
        {"agent": agent.id, "phone": "0412 345 678", "caller_number": theirs.id},
    )

    assert "outbound numbers" in " ".join(response.context["form"].errors["caller_number"])
    assert live_provider_settings.requests_to("POST", OUTBOUND_PATH) == []


def test_without_numbers_the_install_number_is_used(staff_client, agent, live_provider_settings):
    contact = make_contact(phone="+61412345678")
    staff_client.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})

    assert dialled_from(live_provider_settings) == ["phnum_test"]
    assert Call.objects.get().from_phone == "+61280001234"


def test_the_install_number_is_refused_once_another_agency_registered_it(
    staff_client, agent, live_provider_settings
):
    number(agency=make_agency(), e164="+61280001234")  # TWILIO_PHONE_NUMBER in the tests
    contact = make_contact(phone="+61412345678")

    response = staff_client.post(
        reverse("contacts:call", args=[contact.id]), {"agent": agent.id}, follow=True
    )

    assert "has no outbound phone number" in response.content.decode()
    assert live_provider_settings.requests_to("POST", OUTBOUND_PATH) == []
    assert not Call.objects.exists()


def test_inbound_only_and_inactive_numbers_never_place_calls(
    staff_client, agent, live_provider_settings
):
    number(e164="+61280001111", direction="inbound", default_outbound=True)
    number(e164="+61280002222", active=False)
    number(e164="+61280003333")
    contact = make_contact(phone="+61412345678")

    staff_client.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})

    assert dialled_from(live_provider_settings) == ["phnum_3333"]


def test_a_campaign_job_dials_from_its_chosen_number(agent, live_provider_settings):
    number(e164="+61280001111", default_outbound=True)
    chosen = number(e164="+61280002222")
    job = make_job(mobiles(2), agent=agent)
    Job.objects.filter(pk=job.pk).update(caller_number=chosen)

    engine.dispatch_tick()

    assert dialled_from(live_provider_settings) == ["phnum_2222", "phnum_2222"]
    assert set(Call.objects.values_list("from_phone", flat=True)) == {"+61280002222"}


def test_a_campaign_job_without_a_choice_dials_from_the_agency_default(
    agent, live_provider_settings
):
    number(e164="+61280001111", default_outbound=True)
    make_job(mobiles(1), agent=agent)

    engine.dispatch_tick()

    assert dialled_from(live_provider_settings) == ["phnum_1111"]


def test_the_job_form_offers_only_the_agencys_outbound_numbers(staff_client, agent):
    mine = number(e164="+61280001111", label="Sales line")
    number(e164="+61280002222", direction="inbound")
    number(agency=make_agency(), e164="+61280009999")
    job = make_job(mobiles(1), agent=agent)

    page = staff_client.get(reverse("campaigns:job_create", args=[job.campaign_id])).content
    page = page.decode()

    assert "Sales line (+61280001111)" in page
    assert "+61280002222" not in page and "+61280009999" not in page
    assert str(mine.id) in page


def test_placing_a_call_from_another_agencys_number_is_refused_before_dialling(
    agent, live_provider_settings
):
    from calls.outbound import OutboundCallRefused
    from contacts.services import call_now

    theirs = number(agency=make_agency(), e164="+61280009999")

    with pytest.raises(OutboundCallRefused, match="not an active outbound number"):
        call_now(agency=default_agency(), agent=agent, phone="+61412345678", caller_number=theirs)

    assert live_provider_settings.requests_to("POST", OUTBOUND_PATH) == []
    assert not Call.objects.exists()


def test_a_number_not_yet_registered_with_elevenlabs_is_refused_as_caller_id(
    agent, live_provider_settings
):
    from calls.outbound import OutboundCallRefused
    from contacts.services import call_now

    unregistered = number(e164="+61280004444", elevenlabs_phone_number_id="")

    with pytest.raises(OutboundCallRefused, match="not registered with ElevenLabs"):
        call_now(
            agency=default_agency(), agent=agent, phone="+61412345678", caller_number=unregistered
        )
    assert live_provider_settings.requests_to("POST", OUTBOUND_PATH) == []
