"""An agency with its own ElevenLabs workspace has its own webhook URLs, checked with its own
secret and token; Twilio webhooks are checked with the auth token of the account that owns
the number. The install's URLs keep working for the install's account."""

import json

import pytest
from django.test import TestCase

from agencies.models import ProviderAccount
from calls.models import Call, SmsMessage, WebhookEvent
from contacts.models import Contact
from phone_numbers.models import PhoneNumber
from tests.factories import default_agency, make_agency, make_agent, make_contact, make_memory
from tests.fakeprovider import elevenlabs_signature, load_payload, twilio_signature

pytestmark = pytest.mark.django_db

INSTALL_SECRET = "whsec_test"  # live_provider_settings' ELEVENLABS_WEBHOOK_SECRET
INSTALL_TOKEN = "init-token-test"  # tests.settings' ELEVENLABS_INITIATION_TOKEN
INSTALL_TWILIO_TOKEN = "test-twilio-token"
B_SECRET = "whsec_bayside_own_workspace"
B_TOKEN = "bayside-initiation-token-0123456789"
B_TWILIO_SID = "AC" + "b" * 32
B_TWILIO_TOKEN = "bayside-twilio-token"
B_SENDER = "+61290001111"
CALLER = "+61412345678"


@pytest.fixture(autouse=True)
def provider(live_provider_settings):
    return live_provider_settings


@pytest.fixture
def agency_b(db):
    agency = make_agency(name="Bayside Realty", slug="bayside")
    ProviderAccount.objects.create(
        agency=agency,
        elevenlabs_api_key="xi-bayside",
        elevenlabs_webhook_secret=B_SECRET,
        elevenlabs_initiation_token=B_TOKEN,
        twilio_account_sid=B_TWILIO_SID,
        twilio_auth_token=B_TWILIO_TOKEN,
        twilio_phone_number=B_SENDER,
    )
    return agency


def post_call_url(agency=None) -> str:
    if agency is None:
        return "/webhooks/elevenlabs/post-call"
    return f"/webhooks/elevenlabs/{agency.pk}/post-call"


def initiation_url(agency=None) -> str:
    if agency is None:
        return "/webhooks/elevenlabs/initiation"
    return f"/webhooks/elevenlabs/{agency.pk}/initiation"


def post_event(client, url, event, secret):
    body = json.dumps(event).encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            url,
            data=body,
            content_type="application/json",
            HTTP_ELEVENLABS_SIGNATURE=elevenlabs_signature(body, secret),
        )


def transcription(agent_id: str, conversation_id: str = "conv_bayside_0001") -> dict:
    event = load_payload("post_call_transcription__inbound")
    event["data"]["agent_id"] = agent_id
    event["data"]["conversation_id"] = conversation_id
    event["data"]["metadata"]["phone_call"]["external_number"] = CALLER
    return event


def ask(client, url, agent_id, token):
    return client.post(
        url,
        {"caller_id": CALLER, "agent_id": agent_id, "called_number": B_SENDER},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def post_twilio(client, path, params, token):
    signature = twilio_signature("http://testserver" + path, params, token)
    return client.post(path, data=params, HTTP_X_TWILIO_SIGNATURE=signature)


# -- post-call --------------------------------------------------------------------------------


def test_an_event_signed_with_the_agencys_secret_is_accepted_at_its_url(client, agency_b):
    make_agent(agency=agency_b, elevenlabs_agent_id="agent_bayside")

    response = post_event(client, post_call_url(agency_b), transcription("agent_bayside"), B_SECRET)

    assert response.status_code == 200 and response.json() == {"status": "received"}
    call = Call.objects.get()
    assert call.agency == agency_b and call.agent.elevenlabs_agent_id == "agent_bayside"


def test_the_agencys_secret_is_refused_at_the_install_url(client, agency_b):
    response = post_event(client, post_call_url(), transcription("agent_bayside"), B_SECRET)
    assert response.status_code == 401
    assert not Call.objects.exists()


def test_the_installs_secret_is_refused_at_an_agency_url_with_its_own_secret(client, agency_b):
    response = post_event(client, post_call_url(agency_b), transcription("agent_x"), INSTALL_SECRET)
    assert response.status_code == 401


def test_the_install_url_still_takes_the_installs_secret(client):
    make_agent(elevenlabs_agent_id="agent_ours")
    response = post_event(client, post_call_url(), transcription("agent_ours"), INSTALL_SECRET)
    assert response.status_code == 200
    assert Call.objects.get().agency == default_agency()


def test_an_agency_without_its_own_secret_is_checked_with_the_installs(client):
    agency = make_agency(name="Plain Realty")
    response = post_event(client, post_call_url(agency), transcription("agent_x"), INSTALL_SECRET)
    assert response.status_code == 200
    assert Call.objects.get().agency == agency


def test_an_unknown_agency_url_is_a_404(client):
    url = "/webhooks/elevenlabs/00000000-0000-0000-0000-000000000000/post-call"
    assert post_event(client, url, transcription("agent_x"), INSTALL_SECRET).status_code == 404


def test_an_event_at_an_agency_url_never_touches_another_agencys_agent_or_contact(client, agency_b):
    ours = make_contact(name="Our Priya", phone=CALLER)
    make_agent(elevenlabs_agent_id="agent_ours")  # the install's agency's agent

    post_event(client, post_call_url(agency_b), transcription("agent_ours"), B_SECRET)

    call = Call.objects.get()
    assert call.agency == agency_b and call.agent is None
    assert call.contact.agency == agency_b and call.contact != ours
    ours.refresh_from_db()
    assert ours.last_call_at is None and not ours.memories.exists()


def test_an_event_at_an_agency_url_cannot_change_another_agencys_call(client, agency_b):
    make_agent(elevenlabs_agent_id="agent_ours")
    post_event(client, post_call_url(), transcription("agent_ours", "conv_ours_1"), INSTALL_SECRET)
    forged = load_payload("post_call_audio__small")
    forged["data"]["agent_id"] = "agent_ours"
    forged["data"]["conversation_id"] = "conv_ours_1"

    post_event(client, post_call_url(agency_b), forged, B_SECRET)

    ours = Call.objects.get()
    assert ours.agency == default_agency() and not ours.recording_file
    event = WebhookEvent.objects.get(event_type="post_call_audio")
    assert event.processed_at is None and "call of another agency" in event.last_error


def test_a_webhook_secret_no_key_decrypts_refuses_everything(client, agency_b, settings):
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    for secret in (B_SECRET, INSTALL_SECRET):
        response = post_event(client, post_call_url(agency_b), transcription("a"), secret)
        assert response.status_code == 401


# -- initiation -------------------------------------------------------------------------------


def test_the_agencys_initiation_url_takes_its_token_and_answers_with_its_caller(client, agency_b):
    priya = make_contact(agency=agency_b, name="Priya", phone=CALLER)
    make_memory(priya, "Budget around $1.8M")
    make_contact(name="Someone else", phone=CALLER)  # the same number in another agency
    make_agent(agency=agency_b, name="Bea", elevenlabs_agent_id="agent_bayside")

    response = ask(client, initiation_url(agency_b), "agent_bayside", B_TOKEN)

    assert response.status_code == 200
    variables = response.json()["dynamic_variables"]
    assert variables["caller_name"] == "Priya" and variables["agency_name"] == "Bayside Realty"
    assert "Budget around $1.8M" in variables["caller_context"]


@pytest.mark.parametrize(
    "where, token",
    [("agency", INSTALL_TOKEN), ("install", B_TOKEN), ("agency", ""), ("agency", "nope")],
)
def test_a_token_of_another_account_is_refused(client, agency_b, where, token):
    url = initiation_url(agency_b if where == "agency" else None)
    assert ask(client, url, "agent_bayside", token).status_code == 401


def test_an_agent_of_another_agency_is_unknown_at_an_agency_url(client, agency_b):
    make_contact(name="Our Priya", phone=CALLER)
    make_agent(name="Lisa", elevenlabs_agent_id="agent_ours")

    answer = ask(client, initiation_url(agency_b), "agent_ours", B_TOKEN).json()

    variables = answer["dynamic_variables"]
    assert variables["caller_name"] == "there" and variables["caller_context"] == ""
    assert variables["agent_name"] == "" and variables["agency_name"] == "Bayside Realty"
    assert "conversation_config_override" not in answer


def test_the_agencys_initiation_answer_is_one_query(client, agency_b, django_assert_num_queries):
    priya = make_contact(agency=agency_b, name="Priya", phone=CALLER)
    make_memory(priya, "Has a dog")
    make_agent(agency=agency_b, elevenlabs_agent_id="agent_bayside")
    ask(client, initiation_url(agency_b), "agent_bayside", B_TOKEN)  # warms the caches

    with django_assert_num_queries(1):
        response = ask(client, initiation_url(agency_b), "agent_bayside", B_TOKEN)

    assert response.json()["dynamic_variables"]["caller_name"] == "Priya"


def test_the_installs_initiation_answer_is_still_one_query(client, django_assert_num_queries):
    make_contact(name="Priya", phone=CALLER)
    make_agent(elevenlabs_agent_id="agent_ours")
    ask(client, initiation_url(), "agent_ours", INSTALL_TOKEN)

    with django_assert_num_queries(1):
        response = ask(client, initiation_url(), "agent_ours", INSTALL_TOKEN)

    assert response.json()["dynamic_variables"]["caller_name"] == "Priya"


def test_a_new_initiation_token_is_used_at_once(client, agency_b):
    ask(client, initiation_url(agency_b), "agent_x", B_TOKEN)  # keeps the old token
    account = ProviderAccount.objects.get(agency=agency_b)
    account.elevenlabs_initiation_token = "a-brand-new-initiation-token-42"
    account.save()

    assert ask(client, initiation_url(agency_b), "agent_x", B_TOKEN).status_code == 401
    new = ask(client, initiation_url(agency_b), "agent_x", "a-brand-new-initiation-token-42")
    assert new.status_code == 200


# -- Twilio -----------------------------------------------------------------------------------


def reply(to: str, body: str = "Thanks!", sid: str = "SM" + "1" * 32) -> dict:
    return {"MessageSid": sid, "From": CALLER, "To": to, "Body": body, "AccountSid": B_TWILIO_SID}


def test_a_reply_to_the_agencys_number_is_checked_with_its_accounts_token(client, agency_b):
    make_contact(agency=agency_b, phone=CALLER)

    refused = post_twilio(client, "/webhooks/twilio/sms", reply(B_SENDER), INSTALL_TWILIO_TOKEN)
    accepted = post_twilio(client, "/webhooks/twilio/sms", reply(B_SENDER), B_TWILIO_TOKEN)

    assert refused.status_code == 403 and accepted.status_code == 200
    assert SmsMessage.objects.get().agency == agency_b


def test_a_stop_to_the_agencys_number_opts_out_for_that_agency_only(client, agency_b):
    theirs = make_contact(agency=agency_b, phone=CALLER)
    ours = make_contact(phone=CALLER)

    post_twilio(client, "/webhooks/twilio/sms", reply(B_SENDER, "STOP"), B_TWILIO_TOKEN)

    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.is_opted_out and not ours.is_opted_out


def test_a_number_with_its_own_credentials_is_checked_with_them(client, agency_b):
    PhoneNumber.objects.create(
        agency=agency_b,
        number="+61290002222",
        twilio_account_sid="AC" + "c" * 32,
        twilio_auth_token="number-own-token",
    )
    path = "/webhooks/twilio/sms"

    assert post_twilio(client, path, reply("+61290002222"), B_TWILIO_TOKEN).status_code == 403
    assert post_twilio(client, path, reply("+61290002222"), "number-own-token").status_code == 200
    assert SmsMessage.objects.get().agency == agency_b


def test_a_listed_number_without_credentials_uses_its_agencys_account(client, agency_b):
    PhoneNumber.objects.create(agency=agency_b, number="+61290003333")
    path = "/webhooks/twilio/sms"
    assert post_twilio(client, path, reply("+61290003333"), INSTALL_TWILIO_TOKEN).status_code == 403
    assert post_twilio(client, path, reply("+61290003333"), B_TWILIO_TOKEN).status_code == 200


def test_the_installs_number_is_still_checked_with_the_installs_token(client, agency_b):
    path = "/webhooks/twilio/sms"
    assert post_twilio(client, path, reply("+61280001234"), B_TWILIO_TOKEN).status_code == 403
    assert post_twilio(client, path, reply("+61280001234"), INSTALL_TWILIO_TOKEN).status_code == 200
    # The shared number serves the agencies texting from it, not Bayside.
    assert SmsMessage.objects.get().agency == default_agency()
    assert not Contact.objects.filter(agency=agency_b).exists()


def test_a_status_callback_is_checked_with_the_senders_account(client, agency_b):
    contact = make_contact(agency=agency_b, phone=CALLER)
    SmsMessage.objects.create(
        agency=agency_b,
        direction=SmsMessage.Direction.OUTBOUND,
        sid="SM" + "2" * 32,
        contact=contact,
        from_phone=B_SENDER,
        to_phone=CALLER,
        body="Hi",
        status="queued",
    )
    params = {
        "MessageSid": "SM" + "2" * 32,
        "MessageStatus": "delivered",
        "From": B_SENDER,
        "To": CALLER,
        "AccountSid": B_TWILIO_SID,
    }
    path = "/webhooks/twilio/sms-status"

    assert post_twilio(client, path, params, INSTALL_TWILIO_TOKEN).status_code == 403
    assert post_twilio(client, path, params, B_TWILIO_TOKEN).status_code == 204
    assert SmsMessage.objects.get().status == "delivered"
