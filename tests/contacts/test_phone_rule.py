"""One rule for 13/1300/1800 numbers: a contact may keep one, no outbound call dials one."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.models import Call
from campaigns.models import Campaign
from contacts.imports import import_contacts_csv
from contacts.models import Contact
from tests.factories import default_agency, make_agent, make_contact

pytestmark = pytest.mark.django_db
OUTBOUND = "/v1/convai/twilio/outbound-call"
RULE = "A contact may keep it, but Voqo only calls mobiles and landlines."


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


def test_a_contact_may_keep_a_1300_number(staff_client):
    staff_client.post(reverse("contacts:add"), {"name": "Strata office", "phone": "1300 123 456"})

    assert Contact.objects.get().phone == "+611300123456"


def test_an_import_keeps_13_and_1800_numbers():
    csv = b"name,phone\nStrata,13 14 50\nHelpline,1800 123 456\n"

    report = import_contacts_csv(io.BytesIO(csv), commit=True, agency=default_agency())

    assert report.created == 2


def test_call_now_refuses_a_contact_with_a_1300_number_and_says_why(
    staff_client, agent, live_provider_settings
):
    contact = make_contact(name="Strata office", phone="+611300123456")

    page = staff_client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert RULE in page and "Call 1300 123 456" not in page

    response = staff_client.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})

    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "“1300 123 456” is a 13/1300/1800 or other service number, not a mobile or landline "
        f"number. {RULE}"
    ]
    assert not live_provider_settings.requests_to("POST", OUTBOUND)
    assert not Call.objects.exists()


@pytest.mark.parametrize("phone", ["1300 123 456", "1800 123 456", "13 14 50"])
def test_call_a_number_refuses_service_numbers_with_the_same_words(
    staff_client, agent, live_provider_settings, phone
):
    response = staff_client.post(
        reverse("contacts:call_number"), {"agent": agent.id, "phone": phone}
    )

    assert "13/1300/1800 or other service number" in response.content.decode()
    assert RULE in response.content.decode()
    assert not live_provider_settings.requests_to("POST", OUTBOUND)


def test_campaign_uploads_refuse_service_numbers_with_the_same_words(staff_client):
    campaign = Campaign.objects.create(agency=default_agency(), name="Spring")
    content = b"name,phone\nStrata,1300 123 456\nPriya,0412 345 678\n"

    response = staff_client.post(
        reverse("campaigns:upload", args=[campaign.id]),
        {"file": SimpleUploadedFile("list.csv", content, content_type="text/csv")},
    )

    summary = response.context["summary"]
    assert summary.valid_rows == 1
    assert RULE in summary.problems[0].message
