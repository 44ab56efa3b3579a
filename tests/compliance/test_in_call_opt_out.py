"""Asked on a call not to be called again: consent withdrawn, calls and SMS stop at once."""

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call
from campaigns import engine
from campaigns.models import JobCall
from compliance.consent import opt_out_phrase, record_consent
from compliance.models import Consent
from contacts.models import Contact
from tests.calls.conftest import post_event
from tests.campaigns.helpers import dialled_numbers, make_job
from tests.factories import default_agency, make_agent, make_contact
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db
PRIYA = "+61412345678"
SMS_PATH = "/2010-04-01/Accounts/"


def outbound_event(*, last_words: str = "Please do. Thanks Lisa.", do_not_call=None) -> dict:
    event = copy.deepcopy(load_payload("post_call_transcription__outbound"))
    transcript = event["data"]["transcript"]
    transcript[3]["message"] = last_words
    if do_not_call is not None:
        results = event["data"]["analysis"].setdefault("data_collection_results", {})
        results["do_not_call"] = {"data_collection_id": "do_not_call", "value": do_not_call}
    return event


def placed_call(agent, contact) -> Call:
    return Call.objects.create(
        agency=default_agency(),
        agent=agent,
        agent_name=agent.name,
        contact=contact,
        direction="outbound",
        status="initiated",
        from_phone="+61280001234",
        to_phone=PRIYA,
        elevenlabs_conversation_id="conv_0202k3example",
        purpose="telemarketing",
    )


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_8701k3example", sync_status="synced")


def test_an_opt_out_phrase_stops_the_next_campaign_dial_and_the_sms(
    client, agent, live_provider_settings
):
    priya = make_contact(name="Priya", phone=PRIYA)
    consent = record_consent(
        contact=priya,
        kind="express",
        method="form",
        obtained_at=timezone.now() - timedelta(days=5),
        obtained_by="Sam",
        evidence_note="Open-home form",
    )
    placed_call(agent, priya)
    job = make_job([PRIYA], agent=agent)  # the next campaign wants to call her again

    response = post_event(
        client, outbound_event(last_words="No. Please don't call me again, take me off your list.")
    )
    engine.dispatch_tick()

    assert response.status_code == 200
    call = Call.objects.get(elevenlabs_conversation_id="conv_0202k3example")
    assert call.sms_status == "skipped" and not call.sms_sent
    assert not live_provider_settings.requests_to("POST", SMS_PATH)
    priya.refresh_from_db()
    assert priya.opted_out_at is not None
    assert "“don't call me”" in priya.opted_out_by
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert dialled_numbers(live_provider_settings) == []
    assert job.job_calls.get().status == JobCall.Status.SKIPPED


def test_the_agents_do_not_call_answer_opts_the_number_out(client, agent, live_provider_settings):
    priya = make_contact(name="Priya", phone=PRIYA)
    placed_call(agent, priya)

    post_event(client, outbound_event(last_words="Not interested.", do_not_call=True))

    assert Contact.objects.get(pk=priya.pk).opted_out_at is not None
    assert not live_provider_settings.requests_to("POST", SMS_PATH)


def test_a_call_without_an_opt_out_keeps_consent_and_the_sms(client, agent, live_provider_settings):
    priya = make_contact(name="Priya", phone=PRIYA)
    placed_call(agent, priya)
    record_consent(
        contact=priya,
        kind="express",
        method="call",
        obtained_at=timezone.now() - timedelta(days=1),
        obtained_by="Sam",
        evidence_note="Asked us to call",
    )

    post_event(client, outbound_event(do_not_call=False))

    assert Contact.objects.get(pk=priya.pk).opted_out_at is None
    assert Consent.objects.get().withdrawn_at is None
    assert len(live_provider_settings.requests_to("POST", SMS_PATH)) == 1


def test_the_agent_saying_the_words_is_not_an_opt_out(client, agent, live_provider_settings):
    event = outbound_event()
    event["data"]["transcript"][2]["message"] = "If you'd rather, I can stop calling you."
    placed_call(agent, make_contact(phone=PRIYA))

    post_event(client, event)

    assert Contact.objects.get(phone=PRIYA).opted_out_at is None


@pytest.mark.parametrize(
    ("words", "opted_out"),
    [
        ("Please don't call me again.", True),
        ("Do not contact me, take me off your list.", True),
        ("Remove my number from your database please.", True),
        ("Stop calling this number!", True),
        ("Put me on your do not call list.", True),
        ("Don't call me before 5 please, I'm at work.", False),
        ("Don't call me on weekends.", False),
        ("Sure, call me tomorrow.", False),
    ],
)
def test_opt_out_phrases_are_told_from_requests_for_another_time(words, opted_out):
    assert bool(opt_out_phrase([{"role": "user", "message": words}])) is opted_out
