"""An agency may bring its own ElevenLabs workspace and Twilio account: owners set them on
one page (secrets encrypted, replace-only), test each connection, and everything Voqo does
for that agency then goes out with those accounts; blank values use the install's."""

import io

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from agencies.models import ProviderAccount
from calls.models import Call
from tests.factories import (
    make_agency,
    make_agent,
    make_call,
    make_contact,
    make_staff_user,
)
from tests.fakeprovider import load_payload
from tests.fakeprovider.server import DEFAULT_ELEVENLABS_API_KEY, DEFAULT_TWILIO_ACCOUNT_SID

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("within_calling_hours", "numbers_washed"),
]

PAGE = "/agency/provider-accounts/"
TEST = "/agency/provider-accounts/test/"
OWN_KEY = "xi-agency-b-own-key"
OWN_SID = "AC" + "b" * 32
OWN_TOKEN = "agency-b-twilio-token"
OWN_SENDER = "+61290001111"


@pytest.fixture
def agency_b(db):
    return make_agency(name="Bayside Realty", slug="bayside")


@pytest.fixture
def owner_b(client, agency_b):
    client.force_login(make_staff_user(username="bianca", agency=agency_b))
    return client


def own_accounts(agency, **fields) -> ProviderAccount:
    values = {
        "elevenlabs_api_key": OWN_KEY,
        "elevenlabs_phone_number_id": "phnum_bayside",
        "twilio_account_sid": OWN_SID,
        "twilio_auth_token": OWN_TOKEN,
        "twilio_phone_number": OWN_SENDER,
    }
    return ProviderAccount.objects.create(agency=agency, **{**values, **fields})


def stored_column(agency, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM provider_accounts WHERE agency_id = %s",
            [ProviderAccount._meta.pk.get_db_prep_value(agency.pk, connection)],
        )
        return cursor.fetchone()[0]


# -- the page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "staff", "read_only"])
def test_only_owners_reach_the_provider_accounts_page(client, agency_b, role):
    client.force_login(make_staff_user(username="m", agency=agency_b, role=role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"elevenlabs_api_key": "x" * 30}).status_code == 403
    assert client.post(TEST, {"service": "twilio"}).status_code == 403
    assert not ProviderAccount.objects.exists()


def test_the_page_prints_the_agencys_own_webhook_urls_and_header(owner_b, agency_b):
    html = owner_b.get(PAGE).content.decode()
    assert f"http://testserver/webhooks/elevenlabs/{agency_b.pk}/post-call" in html
    assert f"http://testserver/webhooks/elevenlabs/{agency_b.pk}/initiation" in html
    assert "ElevenLabs-Signature" in html and "Authorization" in html and "Bearer" in html
    assert "http://testserver/webhooks/twilio/sms" in html


def test_secrets_are_stored_encrypted_and_never_shown_again(owner_b, agency_b):
    response = owner_b.post(
        PAGE,
        {
            "elevenlabs_api_key": OWN_KEY,
            "elevenlabs_webhook_secret": "whsec_bayside",
            "elevenlabs_initiation_token": "bayside-initiation-token-0123456789",
            "elevenlabs_phone_number_id": "phnum_bayside",
            "twilio_account_sid": OWN_SID,
            "twilio_auth_token": OWN_TOKEN,
            "twilio_phone_number": "02 9000 1111",
        },
    )
    assert response.status_code == 302
    account = ProviderAccount.objects.get(agency=agency_b)
    assert account.elevenlabs_api_key == OWN_KEY
    assert account.twilio_phone_number == OWN_SENDER  # normalised to E.164
    for column, secret in [("elevenlabs_api_key", OWN_KEY), ("twilio_auth_token", OWN_TOKEN)]:
        assert secret not in stored_column(agency_b, column)
    html = owner_b.get(PAGE).content.decode()
    for secret in (OWN_KEY, OWN_TOKEN, "whsec_bayside", "bayside-initiation-token"):
        assert secret not in html
    assert "Stored" in html and OWN_SID in html and "phnum_bayside" in html


def test_a_blank_secret_keeps_the_stored_one_and_remove_drops_it(owner_b, agency_b):
    own_accounts(agency_b, elevenlabs_webhook_secret="whsec_bayside")
    form = {"twilio_account_sid": OWN_SID, "twilio_phone_number": OWN_SENDER}

    owner_b.post(PAGE, {**form, "elevenlabs_phone_number_id": "phnum_new"})
    account = ProviderAccount.objects.get(agency=agency_b)
    assert (account.elevenlabs_api_key, account.twilio_auth_token) == (OWN_KEY, OWN_TOKEN)
    assert account.elevenlabs_phone_number_id == "phnum_new"

    owner_b.post(PAGE, {**form, "remove": ["elevenlabs_api_key", "elevenlabs_webhook_secret"]})
    account.refresh_from_db()
    assert account.elevenlabs_api_key == "" and account.elevenlabs_webhook_secret == ""
    assert account.twilio_auth_token == OWN_TOKEN


@pytest.mark.parametrize(
    "form, message",
    [
        ({"twilio_account_sid": "AC123"}, "AC followed by 32 hexadecimal characters"),
        ({"twilio_account_sid": OWN_SID}, "A Twilio account SID needs its auth token."),
        ({"twilio_auth_token": OWN_TOKEN}, "A Twilio auth token needs its account SID."),
        ({"elevenlabs_initiation_token": "short"}, "Use at least 24 characters"),
        ({"twilio_phone_number": "12345"}, "phone number"),
        ({"elevenlabs_phone_number_id": "phnum bad"}, "no spaces"),
    ],
)
def test_bad_values_are_refused_with_a_reason(owner_b, agency_b, form, message):
    response = owner_b.post(PAGE, form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProviderAccount.objects.filter(agency=agency_b).exists()


def lose_the_encryption_key(settings) -> None:
    """The key the secrets were stored with is gone from FIELD_ENCRYPTION_KEYS."""
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


def test_a_secret_no_key_decrypts_is_shown_as_such(owner_b, agency_b, settings):
    own_accounts(agency_b)
    lose_the_encryption_key(settings)
    assert "Cannot be decrypted" in owner_b.get(PAGE).content.decode()


# -- test connection ----------------------------------------------------------------------


def test_test_connection_asks_elevenlabs_with_the_agencys_own_key(
    owner_b, agency_b, live_provider_settings
):
    fake = live_provider_settings
    fake.add_account(elevenlabs_api_key=OWN_KEY)
    fake.add_phone_number(phone_number_id="phnum_bayside", phone_number=OWN_SENDER)
    own_accounts(agency_b)

    response = owner_b.post(TEST, {"service": "elevenlabs"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Connected." in response.content.decode()
    assert fake.last_request("GET", "/v1/convai/phone-numbers").header("xi-api-key") == OWN_KEY


def test_test_connection_asks_twilio_with_the_agencys_own_account(
    owner_b, agency_b, live_provider_settings
):
    fake = live_provider_settings
    fake.add_account(twilio_account_sid=OWN_SID, twilio_auth_token=OWN_TOKEN)
    fake.add_twilio_number(OWN_SENDER, account_sid=OWN_SID)
    own_accounts(agency_b)

    html = owner_b.post(TEST, {"service": "twilio"}).content.decode()

    assert "Connected." in html and OWN_SENDER in html
    assert (
        fake.last_request("GET").path == f"/2010-04-01/Accounts/{OWN_SID}/IncomingPhoneNumbers.json"
    )


def test_test_connection_says_when_the_provider_refuses_the_agencys_key(
    owner_b, agency_b, live_provider_settings
):
    own_accounts(agency_b, elevenlabs_api_key="xi-wrong-key")  # the fake knows no such key
    html = owner_b.post(TEST, {"service": "elevenlabs"}).content.decode()
    assert "Problem." in html and "refused the credentials" in html


def test_an_agency_without_its_own_accounts_tests_the_installs(owner_b, live_provider_settings):
    live_provider_settings.add_phone_number(phone_number_id="phnum_test", phone_number=OWN_SENDER)
    owner_b.post(TEST, {"service": "elevenlabs"})
    sent = live_provider_settings.last_request("GET", "/v1/convai/phone-numbers")
    assert sent.header("xi-api-key") == DEFAULT_ELEVENLABS_API_KEY


def test_an_unknown_service_is_refused_with_a_message(owner_b):
    response = owner_b.post(TEST, {"service": "carrier-pigeon"}, follow=True)
    assert "Choose which connection to test" in response.content.decode()


# -- everything done for the agency uses its accounts -------------------------------------


def test_agent_sync_uses_each_agencys_own_workspace(live_provider_settings, agency_b):
    from django.core.management import call_command

    fake = live_provider_settings
    fake.add_account(elevenlabs_api_key=OWN_KEY)
    own_accounts(agency_b)
    make_agent(name="Ours")
    make_agent(name="Theirs", agency=agency_b)

    call_command("sync_agents", stdout=io.StringIO())

    keys = {
        request.json["name"]: request.header("xi-api-key")
        for request in fake.requests_to("POST", "/v1/convai/agents/create")
    }
    assert keys == {"Ours": DEFAULT_ELEVENLABS_API_KEY, "Theirs": OWN_KEY}


def test_call_now_dials_with_the_agencys_key_and_phone_number(
    owner_b, agency_b, live_provider_settings
):
    fake = live_provider_settings
    fake.add_account(elevenlabs_api_key=OWN_KEY)
    own_accounts(agency_b)
    agent = make_agent(agency=agency_b, elevenlabs_agent_id="agent_bayside", sync_status="synced")
    contact = make_contact(agency=agency_b, phone="+61412345678")

    owner_b.post(reverse("contacts:call", args=[contact.id]), {"agent": agent.id})

    (sent,) = fake.requests_to("POST", "/v1/convai/twilio/outbound-call")
    assert sent.header("xi-api-key") == OWN_KEY
    assert sent.json["agent_phone_number_id"] == "phnum_bayside"
    assert Call.objects.get().elevenlabs_conversation_id


def test_the_follow_up_sms_goes_out_from_the_agencys_twilio_account(
    agency_b, live_provider_settings
):
    from calls.followup_sms import send_post_call_sms

    fake = live_provider_settings
    fake.add_account(twilio_account_sid=OWN_SID, twilio_auth_token=OWN_TOKEN)
    own_accounts(agency_b)
    call = make_call(agency=agency_b, caller_spoke=True, sms_status=Call.SmsStatus.PENDING)

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_post_call_sms(call.pk) == Call.SmsStatus.SENT

    (sent,) = fake.requests_to("POST", "/2010-04-01/Accounts/")
    assert sent.path == f"/2010-04-01/Accounts/{OWN_SID}/Messages.json"
    assert sent.form["From"] == OWN_SENDER
    assert call.sms_messages.get().from_phone == OWN_SENDER


def test_an_agency_without_its_own_twilio_texts_from_the_installs(live_provider_settings):
    from calls.followup_sms import send_post_call_sms

    call = make_call(caller_spoke=True, sms_status=Call.SmsStatus.PENDING)
    send_post_call_sms(call.pk)
    (sent,) = live_provider_settings.requests_to("POST", "/2010-04-01/Accounts/")
    assert sent.path == f"/2010-04-01/Accounts/{DEFAULT_TWILIO_ACCOUNT_SID}/Messages.json"
    assert sent.form["From"] == "+61280001234"


def test_a_recording_is_fetched_with_the_agencys_key(owner_b, agency_b, live_provider_settings):
    fake = live_provider_settings
    fake.add_account(elevenlabs_api_key=OWN_KEY)
    own_accounts(agency_b)
    conversation = fake.add_conversation(load_payload("post_call_transcription__inbound"))
    conversation_id = conversation["conversation_id"]
    call = make_call(agency=agency_b, elevenlabs_conversation_id=conversation_id)
    fake.add_audio(conversation_id, b"ID3 fake mp3")

    response = owner_b.get(reverse("calls:recording", args=[call.id]))

    assert response.status_code == 200
    assert fake.last_request("GET", "/v1/convai/conversations/").header("xi-api-key") == OWN_KEY


def test_a_key_no_configured_key_decrypts_never_falls_back_to_the_installs(
    agency_b, live_provider_settings, settings
):
    from django.core.management import CommandError, call_command

    own_accounts(agency_b)
    agent = make_agent(agency=agency_b)
    lose_the_encryption_key(settings)

    with pytest.raises(CommandError):
        call_command("sync_agents", stdout=io.StringIO())

    agent.refresh_from_db()
    assert agent.sync_status == "failed" and "cannot be decrypted" in agent.sync_error
    assert not live_provider_settings.requests_to("POST", "/v1/convai/agents/create")
