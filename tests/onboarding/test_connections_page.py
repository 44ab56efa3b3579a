"""The Connections page: provider state, what to paste where, "Check now", test webhooks."""

import json

import pytest
from django.urls import reverse

from calls.models import Call, WebhookEvent
from tests.calls.conftest import post_event, post_twilio
from tests.factories import make_agent, make_call, make_staff_user
from tests.fakeprovider import load_payload
from voqo.models import Setting

pytestmark = pytest.mark.django_db

PAGE = "/connections/"


def page(client) -> str:
    response = client.get(reverse("onboarding:connections"))
    assert response.status_code == 200
    return response.content.decode()


def ask_initiation(client, **headers):
    return client.post(
        reverse("elevenlabs_initiation"),
        data=json.dumps({"caller_id": "+61412345678", "agent_id": ""}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer init-token-test",
        **headers,
    )


def test_the_page_is_in_the_sidebar(staff_client):
    html = staff_client.get(reverse("dashboard")).content.decode()

    assert f'href="{reverse("onboarding:connections")}"' in html
    assert reverse("onboarding:connections") == PAGE


def test_the_page_lists_the_exact_urls_and_headers_to_paste(staff_client):
    html = page(staff_client)

    assert '<code id="post-call-url">http://testserver/webhooks/elevenlabs/post-call</code>' in html
    assert "http://testserver/webhooks/elevenlabs/initiation" in html
    assert '<code id="initiation-header-name">Authorization</code>' in html
    assert '<code id="initiation-header-value">Bearer init-token-test</code>' in html
    assert "http://testserver/webhooks/twilio/sms</code>" in html
    assert "http://testserver/webhooks/twilio/sms-status</code>" in html
    assert "http://testserver/functions/&lt;function id&gt;/invoke" in html
    assert "ELEVENLABS_WEBHOOK_SECRET" in html and "X-Voqo-Function-Token" in html


def test_copy_buttons_are_hidden_until_the_script_shows_them(staff_client):
    html = page(staff_client)

    assert html.count('data-copy="') >= 6
    assert 'data-copy="post-call-url" aria-label="Copy the post-call webhook URL" hidden' in html
    assert "/static/js/copy.js" in html


def test_the_sandbox_needs_no_keys(staff_client):
    html = page(staff_client)

    assert "Sandbox: no provider keys are set" in html
    assert "Not needed in the sandbox" in html
    assert "Missing" not in html


def test_live_mode_shows_which_keys_are_set_and_which_are_missing(
    staff_client, live_provider_settings, settings
):
    settings.ELEVENLABS_INITIATION_TOKEN = ""

    html = page(staff_client)

    assert "Sandbox: no provider keys" not in html
    assert html.count('badge-completed">Set<') == 6
    assert html.count('badge-failed">Missing<') == 2  # the key row and the header value
    assert "Set <code>ELEVENLABS_INITIATION_TOKEN</code> to a long random value" in html


@pytest.mark.parametrize(
    "public_url, problem",
    [
        ("http://127.0.0.1:8000", "an address only this network can reach"),
        ("http://voqo.local", "an address only this network can reach"),
        ("http://voqo.example.com", "use https"),
        ("https://voqo.example.com", ""),
    ],
)
def test_an_unreachable_public_url_is_explained_in_live_mode(
    staff_client, live_provider_settings, settings, public_url, problem
):
    settings.PUBLIC_BASE_URL = public_url

    html = page(staff_client)

    if problem:
        assert problem in html
    else:
        assert 'role="alert"' not in html


def test_check_now_asks_both_providers_and_shows_what_they_said(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    fake.add_phone_number("phnum_test", "+61280001234", label="Front desk")
    fake.add_twilio_number("+61280001234", sms_url="http://testserver/webhooks/twilio/sms")
    assert "Not checked yet" in page(staff_client)

    response = staff_client.post(reverse("onboarding:check"), follow=True)

    html = response.content.decode()
    assert "API key accepted; phone number +61280001234 (Front desk)." in html
    assert "Credentials accepted; +61280001234 belongs to the account Voqo Test Account." in html
    assert html.count('badge-completed">Yes<') == 2
    assert "Replies to" not in html
    assert fake.requests_to("GET", "/v1/convai/phone-numbers/phnum_test")
    assert fake.requests_to("GET", "/2010-04-01/Accounts/")


def test_check_now_warns_when_replies_to_the_number_miss_voqo(staff_client, live_provider_settings):
    fake = live_provider_settings
    fake.add_phone_number("phnum_test", "+61280001234")
    fake.add_twilio_number("+61280001234", sms_url="https://demo.twilio.com/welcome/sms/reply")

    html = staff_client.post(reverse("onboarding:check"), follow=True).content.decode()

    assert (
        "Replies to +61280001234 go to https://demo.twilio.com/welcome/sms/reply, not to "
        "http://testserver/webhooks/twilio/sms: STOP replies would not reach Voqo."
    ) in html


def test_check_now_shows_a_refused_key(staff_client, live_provider_settings, settings):
    settings.ELEVENLABS_API_KEY = "sk-wrong"

    html = staff_client.post(reverse("onboarding:check"), follow=True).content.decode()

    assert 'badge-failed">Problem<' in html
    assert "ElevenLabs refused the credentials: Invalid API key" in html


def test_check_now_over_htmx_answers_with_the_provider_block_only(
    staff_client, live_provider_settings
):
    response = staff_client.post(reverse("onboarding:check"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="providers">')
    assert "<html" not in html


def test_a_check_made_in_the_sandbox_is_not_shown_once_live(
    staff_client, settings, live_provider_settings
):
    settings.VOQO_PROVIDER = "sandbox"
    staff_client.post(reverse("onboarding:check"))
    assert "Sandbox: calls are simulated inside Voqo." in page(staff_client)

    settings.VOQO_PROVIDER = "live"

    assert "Not checked yet" in page(staff_client)


def test_each_webhook_shows_when_it_last_arrived(client, staff_client):
    assert page(staff_client).count(">Never<") == 4

    post_event(client, load_payload("call_initiation_failure__busy"))
    ask_initiation(client)
    sms = {"MessageSid": "SM" + "1" * 32, "From": "+61412345678", "To": "+61280001234"}
    post_twilio(client, "twilio_sms", {**sms, "Body": "Thanks"})

    html = page(staff_client)
    assert html.count(">Never<") == 1  # the status callback
    assert html.count("(from the sandbox)") == 3
    assert 'Last Twilio SMS status callback</th><td><span class="muted">Never' in html


def test_rejected_webhooks_are_not_counted(client, staff_client):
    post_event(client, load_payload("call_initiation_failure__busy"), secret="wrong-secret")
    client.post(reverse("elevenlabs_initiation"), data=b"{}", content_type="application/json")

    assert page(staff_client).count(">Never<") == 4


def test_a_refused_webhook_shows_why_until_one_is_accepted(client, staff_client):
    post_event(client, load_payload("call_initiation_failure__busy"), secret="wrong-secret")
    sms = {"MessageSid": "SM" + "2" * 32, "From": "+61412345678", "Body": "STOP"}
    post_twilio(client, "twilio_sms_status", sms, signature="forged")

    html = page(staff_client)
    assert "Signature does not match. Compare the URL and secret" in html
    assert "Invalid Twilio signature." in html
    assert Setting.objects.filter(key="last_refused:twilio_sms_status").exists()
    assert not Setting.objects.filter(key="last_refused:twilio_sms").exists()

    post_event(client, load_payload("call_initiation_failure__busy"))

    assert "Signature does not match." not in page(staff_client)


def test_a_sighting_is_written_at_most_once_a_minute(client):
    ask_initiation(client)
    first = Setting.objects.get(key="last_seen:initiation").value

    ask_initiation(client)

    assert Setting.objects.get(key="last_seen:initiation").value == first


def test_voqos_own_test_requests_are_never_counted_as_the_providers(client, staff_client):
    ask_initiation(client, HTTP_X_VOQO_CONNECTION_TEST="1")

    assert not Setting.objects.filter(key="last_seen:initiation").exists()


def test_the_last_outbound_call_request_shows_how_it_went(staff_client):
    assert "No outbound call yet" in page(staff_client)
    make_call(direction="outbound", elevenlabs_conversation_id="conv_demo00007")
    assert "No outbound call yet" in page(staff_client), "demo calls are no requests"

    failed = make_call(
        direction="outbound",
        status="failed",
        elevenlabs_conversation_id=None,
        failure_reason="Invalid API key",
    )

    html = page(staff_client)
    assert f'href="{reverse("calls:detail", args=[failed.pk])}"' in html
    assert 'badge-failed">Failed</span>' in html and "Invalid API key" in html


def test_superusers_get_a_link_to_the_django_admin(client, staff_client):
    assert "Django admin" not in page(staff_client)

    boss = make_staff_user(username="boss")
    boss.is_superuser = True
    boss.save()
    client.force_login(boss)

    assert f'<a href="{reverse("admin:index")}">Django admin</a>' in page(client)


# -- "Send a test webhook" -------------------------------------------------------------


@pytest.fixture
def voqo_reachable(live_server, settings):
    """Voqo's public URL is the live test server, so Voqo can POST to itself."""
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server


def send_test(client, kind: str, **headers):
    return client.post(reverse("onboarding:send_test"), {"kind": kind}, **headers)


@pytest.mark.django_db(transaction=True)
def test_a_test_post_call_webhook_is_signed_accepted_and_records_nothing(
    staff_client, voqo_reachable
):
    response = send_test(staff_client, "post_call")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Voqo accepted the signed test event." in html
    assert f"POST {voqo_reachable.url}/webhooks/elevenlabs/post-call → HTTP 200" in html
    assert not Call.objects.exists() and not WebhookEvent.objects.exists()
    assert html.count(">Never<") == 4, "a test is not a webhook from ElevenLabs"


@pytest.mark.django_db(transaction=True)
def test_a_test_initiation_request_shows_the_agents_greeting(staff_client, voqo_reachable):
    make_agent(
        name="Lisa",
        elevenlabs_agent_id="agent_lisa",
        greeting_message="Hi {{caller_name}}, Lisa here.",
    )

    html = send_test(staff_client, "initiation").content.decode()

    assert (
        "dynamic variables for an unknown caller; Lisa would greet them: “Hi there, Lisa here.”"
        in (html)
    )
    assert not Setting.objects.filter(key="last_seen:initiation").exists()


@pytest.mark.django_db(transaction=True)
def test_a_test_over_htmx_answers_with_the_result_only(staff_client, voqo_reachable):
    response = send_test(staff_client, "post_call", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div class="flash flash-success" role="status">')
    assert "<html" not in html


def test_a_public_url_nobody_answers_at_is_reported(staff_client, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"

    html = send_test(staff_client, "post_call").content.decode()

    assert "Voqo could not reach http://127.0.0.1:9/webhooks/elevenlabs/post-call" in html
    assert "Check PUBLIC_BASE_URL" in html


def test_a_public_url_that_is_not_voqo_is_reported(staff_client, settings, fake_provider):
    settings.PUBLIC_BASE_URL = fake_provider.url

    html = send_test(staff_client, "initiation").content.decode()

    assert "Voqo answered HTTP 404" in html
    assert fake_provider.last_request("POST").header("x-voqo-connection-test") == "1"


def test_a_test_post_call_webhook_needs_the_secret(staff_client, settings, fake_provider):
    settings.ELEVENLABS_WEBHOOK_SECRET = ""
    settings.PUBLIC_BASE_URL = fake_provider.url

    html = send_test(staff_client, "post_call").content.decode()

    assert "ELEVENLABS_WEBHOOK_SECRET is not set" in html
    assert fake_provider.requests == []


def test_a_test_initiation_request_needs_the_token(staff_client, settings, fake_provider):
    settings.ELEVENLABS_INITIATION_TOKEN = ""
    settings.PUBLIC_BASE_URL = fake_provider.url

    html = send_test(staff_client, "initiation").content.decode()

    assert "ELEVENLABS_INITIATION_TOKEN is not set" in html
    assert fake_provider.requests == []


def test_an_unknown_test_is_refused(staff_client):
    response = send_test(staff_client, "twilio", follow=True)

    assert "Choose which webhook to test: post-call or initiation." in response.content.decode()


def test_an_unknown_test_over_htmx_answers_with_the_error_in_place(staff_client):
    response = send_test(staff_client, "twilio", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'role="alert">Choose which webhook to test' in html
    assert "<html" not in html
