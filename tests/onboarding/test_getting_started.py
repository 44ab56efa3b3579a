"""The getting-started checklist on the dashboard."""

import json

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import PLACEHOLDER_AGENCY_NAME
from tests.factories import (
    default_agency,
    make_agency,
    make_agent,
    make_call,
    make_contact,
    update_agency,
)
from tests.fakeprovider import elevenlabs_signature, load_payload
from voqo.models import Setting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_install(db):
    """A fresh install's agency still has the name the upgrade migration gave it."""
    update_agency(name=PLACEHOLDER_AGENCY_NAME)


def steps(response) -> dict[str, bool]:
    checklist = response.context["checklist"]
    return {step.key: step.done for step in checklist.steps} if checklist else {}


def finish_every_step() -> None:
    update_agency(name="Bondi Homes")
    Setting.set_value("sandbox_chosen", True, default_agency())
    make_agent()
    make_contact()
    make_call()


def post_signed_event(client, event: dict, secret: str = "whsec_test"):
    body = json.dumps(event).encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("elevenlabs_post_call"),
            data=body,
            content_type="application/json",
            HTTP_ELEVENLABS_SIGNATURE=elevenlabs_signature(body, secret),
        )


def test_a_fresh_install_lists_six_steps_each_linking_to_where_to_do_it(staff_client):
    response = staff_client.get(reverse("dashboard"))

    html = response.content.decode()
    assert "Getting started" in html
    assert steps(response) == {
        "agency": False,
        "agent": False,
        "keys": False,
        "webhooks": True,  # the sandbox delivers its own webhooks
        "call": False,
        "contacts": False,
    }
    assert "1 of 6 done" in html
    for url in (
        reverse("settings"),
        reverse("agents:create"),
        reverse("onboarding:connections"),
        reverse("contacts:call_number"),
        reverse("contacts:import"),
    ):
        assert f'href="{url}"' in html
    assert "Hide this checklist" not in html


def test_each_step_is_ticked_by_what_it_asks_for(staff_client):
    update_agency(name="Bondi Homes")
    make_agent()
    make_contact()
    make_call()

    response = staff_client.get(reverse("dashboard"))

    assert steps(response) == {
        "agency": True,
        "agent": True,
        "keys": False,
        "webhooks": True,
        "call": True,
        "contacts": True,
    }


def test_another_agencys_agent_contact_and_call_tick_nothing_here(staff_client):
    elsewhere = make_agency(name="Elsewhere Realty")
    make_agent(agency=elsewhere)
    make_contact(agency=elsewhere)
    make_call(agency=elsewhere)

    done = steps(staff_client.get(reverse("dashboard")))

    assert not done["agent"] and not done["contacts"] and not done["call"]


def test_saving_the_settings_page_names_the_agency(staff_client):
    staff_client.post(
        reverse("settings"),
        {
            "agency_name": "Bondi Homes",
            "time_zone": "Australia/Sydney",
            "sms_template": "Hi {caller_name}, thanks. - {agent_name}",
        },
    )

    assert steps(staff_client.get(reverse("dashboard")))["agency"] is True


def test_demo_calls_are_no_test_call(staff_client):
    make_call(elevenlabs_conversation_id="conv_demo00001")

    assert steps(staff_client.get(reverse("dashboard")))["call"] is False


def test_staying_in_the_sandbox_ticks_the_keys_step(staff_client):
    before = staff_client.get(reverse("dashboard")).content.decode()
    assert "Stay in the sandbox for now" in before

    response = staff_client.post(reverse("onboarding:stay_in_sandbox"), follow=True)

    assert steps(response)["keys"] is True
    html = response.content.decode()
    assert "Staying in the sandbox" in html
    assert "Stay in the sandbox for now" not in html


def test_staying_in_the_sandbox_is_refused_when_keys_are_set(staff_client, live_provider_settings):
    response = staff_client.post(reverse("onboarding:stay_in_sandbox"), follow=True)

    assert "there is no sandbox to stay in" in response.content.decode()
    assert not Setting.objects.filter(key="sandbox_chosen").exists()


def test_live_keys_step_names_the_missing_keys(staff_client, live_provider_settings, settings):
    settings.TWILIO_PHONE_NUMBER = ""

    response = staff_client.get(reverse("dashboard"))

    assert steps(response)["keys"] is False
    assert "Still missing: TWILIO_PHONE_NUMBER." in response.content.decode()


def test_live_keys_step_is_done_with_every_key(staff_client, live_provider_settings):
    assert steps(staff_client.get(reverse("dashboard")))["keys"] is True


def test_the_webhook_step_waits_for_a_signed_post_call_webhook_from_elevenlabs(
    client, staff_client, live_provider_settings
):
    assert steps(staff_client.get(reverse("dashboard")))["webhooks"] is False

    unsigned = client.post(
        reverse("elevenlabs_post_call"), data=b"{}", content_type="application/json"
    )
    assert unsigned.status_code == 401
    assert steps(staff_client.get(reverse("dashboard")))["webhooks"] is False

    assert (
        post_signed_event(client, load_payload("call_initiation_failure__busy")).status_code == 200
    )
    response = staff_client.get(reverse("dashboard"))
    assert steps(response)["webhooks"] is True
    assert "ElevenLabs has delivered a signed post-call webhook." in response.content.decode()


def test_webhooks_from_the_sandbox_do_not_tick_the_live_webhook_step(
    client, staff_client, settings, live_provider_settings
):
    settings.VOQO_PROVIDER = "sandbox"
    post_signed_event(client, load_payload("call_initiation_failure__busy"))
    settings.VOQO_PROVIDER = "live"

    assert steps(staff_client.get(reverse("dashboard")))["webhooks"] is False


def test_the_checklist_cannot_be_hidden_before_every_step_is_done(staff_client):
    response = staff_client.post(reverse("onboarding:dismiss_checklist"), follow=True)

    assert "The checklist stays until every step is done: 5 still to go." in (
        response.content.decode()
    )
    assert response.context["checklist"] is not None


def test_a_finished_checklist_can_be_hidden_for_good(staff_client):
    finish_every_step()
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert "6 of 6 done" in html and "Hide this checklist" in html

    response = staff_client.post(reverse("onboarding:dismiss_checklist"), follow=True)

    assert response.context["checklist"] is None
    assert "Getting started" not in response.content.decode().split("</h1>", 1)[1]
    assert staff_client.get(reverse("dashboard")).context["checklist"] is None


def test_the_checklist_costs_one_query_and_none_once_hidden(staff_client):
    finish_every_step()
    for _ in range(30):
        make_call()
    staff_client.get(reverse("dashboard"))  # warm the settings cache

    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(reverse("dashboard")).context["checklist"].complete
    shown = [query["sql"] for query in queries.captured_queries]
    staff_client.post(reverse("onboarding:dismiss_checklist"))
    staff_client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(reverse("dashboard")).context["checklist"] is None
    hidden = [query["sql"] for query in queries.captured_queries]

    assert len(shown) == len(hidden) + 1 <= 9
    (checklist_sql,) = [sql for sql in shown if sql.startswith("SELECT EXISTS(")]
    assert not [sql for sql in hidden if sql.startswith("SELECT EXISTS(")]
    assert "ORDER BY" not in checklist_sql, "an ORDER BY would sort a million calls"


def test_the_checklist_is_one_query_in_live_mode_too(staff_client, live_provider_settings):
    staff_client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(reverse("dashboard"))

    assert len([q for q in queries.captured_queries if "EXISTS" in q["sql"]]) == 1
