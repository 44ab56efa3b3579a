"""`Provider.check_connection()`: the official SDKs against the fake provider server."""

from __future__ import annotations

import pytest

from voqo.providers import ConnectionCheck, get_provider

PHONE_NUMBER = "/v1/convai/phone-numbers/"
ACCOUNT = "/2010-04-01/Accounts/"


@pytest.fixture
def provider(live_provider_settings):
    return live_provider_settings


def checks() -> dict[str, ConnectionCheck]:
    return {check.service: check for check in get_provider().check_connection()}


def test_a_working_configuration_is_reported_with_the_number_and_its_sms_webhook(provider):
    provider.add_phone_number("phnum_test", "+61280001234", label="Front desk")
    provider.add_twilio_number("+61280001234", sms_url="https://voqo.example/webhooks/twilio/sms")

    result = checks()

    assert result["elevenlabs"] == ConnectionCheck(
        "elevenlabs", True, "API key accepted; phone number +61280001234 (Front desk)."
    )
    assert result["twilio"].ok
    assert "+61280001234 belongs to the account Voqo Test Account" in result["twilio"].message
    assert result["twilio"].inbound_sms_url == "https://voqo.example/webhooks/twilio/sms"
    assert provider.last_request("GET", PHONE_NUMBER + "phnum_test").header("xi-api-key")
    numbers = provider.last_request("GET", ACCOUNT)
    assert numbers.path.endswith("/IncomingPhoneNumbers.json")
    assert numbers.query["PhoneNumber"] == ["+61280001234"]


def test_a_wrong_elevenlabs_key_is_reported_in_elevenlabs_words(provider, settings):
    settings.ELEVENLABS_API_KEY = "wrong-key"

    check = checks()["elevenlabs"]

    assert not check.ok
    assert check.message == "ElevenLabs refused the credentials: Invalid API key"


def test_an_unknown_phone_number_id_is_named(provider):
    check = checks()["elevenlabs"]

    assert not check.ok
    assert "no phone number with the id phnum_test" in check.message


def test_without_a_phone_number_id_the_key_is_still_checked(provider, settings):
    settings.ELEVENLABS_PHONE_NUMBER_ID = ""

    check = checks()["elevenlabs"]

    assert not check.ok
    assert "ELEVENLABS_PHONE_NUMBER_ID is not set" in check.message
    assert provider.requests_to("GET", "/v1/convai/agents")


def test_an_elevenlabs_outage_says_it_could_not_check(provider):
    provider.fail_next("GET", PHONE_NUMBER, 503)

    check = checks()["elevenlabs"]

    assert not check.ok
    assert check.message.startswith("ElevenLabs could not be checked:")
    assert len(provider.requests_to("GET", PHONE_NUMBER)) == 1, "a check is never retried"


def test_wrong_twilio_credentials_are_refused(provider, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong-token"

    check = checks()["twilio"]

    assert not check.ok
    assert check.message == "Twilio refused the credentials: Authenticate"


def test_a_suspended_twilio_account_is_not_ok(provider):
    provider.twilio_account_status = "suspended"
    provider.add_twilio_number("+61280001234")

    check = checks()["twilio"]

    assert check == ConnectionCheck("twilio", False, "The Twilio account is suspended, not active.")


def test_a_sender_number_outside_the_twilio_account_is_named(provider):
    check = checks()["twilio"]

    assert not check.ok
    assert "+61280001234 (TWILIO_PHONE_NUMBER) is not a number of this Twilio account" in (
        check.message
    )


def test_missing_keys_are_named_without_asking_anyone(provider, settings):
    settings.ELEVENLABS_API_KEY = ""
    settings.TWILIO_AUTH_TOKEN = ""

    result = checks()

    assert result["elevenlabs"].message == "ELEVENLABS_API_KEY is not set."
    assert "TWILIO_AUTH_TOKEN must both be set" in result["twilio"].message
    assert provider.requests == []


def test_the_sandbox_has_nothing_to_reach(settings):
    settings.VOQO_PROVIDER = "sandbox"

    result = checks()

    assert result["elevenlabs"].ok and result["twilio"].ok
    assert "simulated" in result["elevenlabs"].message
