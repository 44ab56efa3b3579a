"""The follow-up SMS goes only to numbers that can receive it; the reason shows otherwise."""

import pytest
from django.urls import reverse

from calls.models import Call
from tests.calls.conftest import post_event
from tests.factories import default_agency
from tests.fakeprovider import load_payload
from voqo.models import Setting

pytestmark = pytest.mark.django_db
MESSAGES = "/2010-04-01/Accounts/"


def call_from(client, number: str, conversation_id: str = "conv_reach01") -> Call:
    event = load_payload("post_call_transcription__inbound")
    event["data"]["conversation_id"] = conversation_id
    event["data"]["metadata"]["phone_call"]["external_number"] = number
    post_event(client, event)
    return Call.objects.get(elevenlabs_conversation_id=conversation_id)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("+61298765432", "(02) 9876 5432 is a landline, which cannot receive SMS."),
        ("+611300123456", "1300 123 456 is a 13/1300/1800 or other service number"),
        ("+611800123456", "1800 123 456 is a 13/1300/1800 or other service number"),
        ("+61131450", "13 14 50 is a 13/1300/1800 or other service number"),
        ("+447911123456", "+44 7911 123456 is a foreign number; turn on “Send SMS to foreign"),
    ],
)
def test_numbers_that_cannot_get_the_sms_are_skipped_with_the_reason(
    client, staff_client, agent, provider, number, reason
):
    call = call_from(client, number)

    assert not provider.requests_to("POST", MESSAGES)
    assert call.sms_status == "skipped" and call.sms_error.startswith(reason)
    page = staff_client.get(reverse("calls:detail", args=[call.id]))
    assert reason in page.content.decode()


def test_australian_mobiles_get_the_sms(client, agent, provider):
    call = call_from(client, "+61412345678")

    assert call.sms_status == "sent"
    assert provider.last_request("POST", MESSAGES).form["To"] == "+61412345678"


def test_foreign_mobiles_get_the_sms_once_the_setting_allows_it(
    client, staff_client, agent, provider
):
    page = staff_client.get(reverse("settings"))
    assert "Send SMS to foreign mobiles" in page.content.decode()
    form = {
        "agency_name": "Harbour Realty",
        "time_zone": "Australia/Sydney",
        "sms_enabled": "on",
        "sms_foreign_mobiles": "on",
        "sms_template": "Hi {caller_name}",
    }
    assert staff_client.post(reverse("settings"), form).status_code == 302
    assert Setting.get_value("sms_foreign_mobiles", default_agency()) is True

    call = call_from(client, "+447911123456")

    assert call.sms_status == "sent"
    assert provider.last_request("POST", MESSAGES).form["To"] == "+447911123456"


def test_a_foreign_landline_never_gets_the_sms_even_when_foreign_mobiles_do(
    client, agent, provider
):
    Setting.set_value("sms_foreign_mobiles", True, default_agency())

    call = call_from(client, "+442079460000")

    assert call.sms_status == "skipped" and "landline" in call.sms_error
    assert not provider.requests_to("POST", MESSAGES)
