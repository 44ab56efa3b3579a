"""One outcome per call from the post-call analysis: type, confidence, summary and typed
details; `unknown` with the reason; the call marked processed; `call.analyzed` announced."""

import pytest

from calls.models import Call, WebhookEvent
from outcomes.dispositions import REAL_ESTATE_DEFAULTS
from outcomes.models import Outcome
from outcomes.recording import record_webhook_delivery
from tests.calls.conftest import post_event
from tests.outcomes.conftest import analysed_call
from voqo.events import domain_event

pytestmark = pytest.mark.django_db

# A believable value for every detail type of the defaults.
SAMPLE = {
    "text": "12 Ocean Street, Bondi",
    "number": 3,
    "datetime": "2026-03-14T10:00",
    "phone": "0412 345 678",
    "suburb": "bondi, coogee",
    "yes_no": "yes",
}
EXPECTED = {
    "text": "12 Ocean Street, Bondi",
    "number": 3,
    "datetime": "2026-03-14T10:00:00",
    "phone": "+61412345678",
    "suburb": ["Bondi", "Coogee"],
    "yes_no": True,
}


@pytest.fixture
def announced():
    events = []

    def receiver(sender, **kwargs):
        events.append(kwargs)

    domain_event.connect(receiver)
    yield events
    domain_event.disconnect(receiver)


@pytest.mark.parametrize("key,details", [(row[0], row[3]) for row in REAL_ESTATE_DEFAULTS])
def test_each_disposition_is_recorded_with_its_typed_details(client, agent, key, details):
    collected = {"outcome": key, "outcome_confidence": 0.87}
    for detail in details:
        collected[f"{key}__{detail['key']}"] = SAMPLE[detail["type"]]

    assert post_event(client, analysed_call(collected)).status_code == 200

    call = Call.objects.get()
    outcome = call.call_outcome
    assert outcome.outcome_type == key and call.disposition == key
    assert outcome.confidence == 0.87
    assert outcome.summary.startswith("Priya asked about 12 Ocean Street")
    assert outcome.extracted_data == {d["key"]: EXPECTED[d["type"]] for d in details}
    assert outcome.unknown_reason == "" and outcome.problems == []
    assert call.processed and call.processed_at is not None


def test_a_call_without_an_outcome_is_unknown_with_the_reason(client, agent):
    post_event(client, analysed_call({}))

    outcome = Outcome.objects.get()
    assert outcome.outcome_type == "unknown"
    assert outcome.unknown_reason == "The call's analysis gave no outcome."
    assert Call.objects.get().disposition == "unknown"


def test_an_outcome_the_agency_does_not_have_is_unknown_and_says_what_came(client, agent):
    post_event(client, analysed_call({"outcome": "pizza_order", "outcome_confidence": 0.9}))

    outcome = Outcome.objects.get()
    assert outcome.outcome_type == "unknown"
    assert "“pizza_order”, which is not one of the agency's outcomes" in outcome.unknown_reason


def test_invalid_values_are_dropped_with_why_and_the_rest_is_kept(client, agent):
    post_event(
        client,
        analysed_call(
            {
                "outcome": "buyer_enquiry",
                "outcome_confidence": 7,
                "buyer_enquiry__budget": "lots",
                "buyer_enquiry__bedrooms": 3,
                "buyer_enquiry__suburbs": "Bondi",
            }
        ),
    )

    outcome = Outcome.objects.get()
    assert outcome.outcome_type == "buyer_enquiry"
    assert outcome.confidence is None
    assert outcome.extracted_data == {"bedrooms": 3, "suburbs": ["Bondi"]}
    assert outcome.problems == [
        "Confidence “7” is not a number from 0 to 1.",
        "Budget: “lots” is not a number.",
    ]


def test_the_evaluation_criterion_says_whether_the_need_was_handled(client, agent):
    post_event(
        client,
        analysed_call({"outcome": "not_interested"}, evaluation={"need_handled": "failure"}),
    )

    assert Outcome.objects.get().need_handled is False


def test_call_analyzed_is_announced_with_the_outcome(client, agent, announced):
    post_event(client, analysed_call({"outcome": "seller_lead", "seller_lead__timeframe": "May"}))

    [event] = [e for e in announced if e["event_type"] == "call.analyzed"]
    call = Call.objects.get()
    assert event["agency"] == call.agency
    assert event["data"]["call_id"] == str(call.pk)
    assert event["data"]["outcome"]["type"] == "seller_lead"
    assert event["data"]["outcome"]["details"] == {"timeframe": "May"}


def test_a_redelivery_keeps_one_outcome_and_announces_nothing_new(client, agent, announced):
    payload = analysed_call({"outcome": "seller_lead"})
    post_event(client, payload)
    WebhookEvent.objects.all().delete()  # the same conversation delivered again

    post_event(client, payload)

    assert Outcome.objects.count() == 1
    assert len([e for e in announced if e["event_type"] == "call.analyzed"]) == 1


def test_a_staff_correction_survives_a_redelivery(client, staff_client, agent, staff_user):
    payload = analysed_call({"outcome": "not_interested"})
    post_event(client, payload)
    call = Call.objects.get()

    response = staff_client.post(
        f"/outcomes/calls/{call.pk}/correct/",
        {"outcome_type": "appraisal_booked", "details": "address: 9 Wattle Avenue"},
    )
    assert response.status_code == 302
    WebhookEvent.objects.all().delete()
    post_event(client, payload)

    outcome = Outcome.objects.get()
    assert outcome.outcome_type == "appraisal_booked"
    assert outcome.extracted_data == {"address": "9 Wattle Avenue"}
    assert outcome.corrected_by == staff_user.username and outcome.corrected_at is not None
    assert Call.objects.get().disposition == "appraisal_booked"
    page = staff_client.get(f"/calls/{call.pk}/").content.decode()
    assert f"corrected by {staff_user.username}" in page


def test_a_correction_with_a_detail_the_outcome_lacks_is_refused(client, staff_client, agent):
    post_event(client, analysed_call({"outcome": "not_interested"}))
    call = Call.objects.get()

    response = staff_client.post(
        f"/outcomes/calls/{call.pk}/correct/",
        {"outcome_type": "seller_lead", "details": "budget: 3"},
        follow=True,
    )

    assert "Seller lead has no detail budget" in response.content.decode()
    assert Outcome.objects.get().outcome_type == "not_interested"


def test_a_correction_with_a_bad_value_is_refused(client, staff_client, agent):
    post_event(client, analysed_call({"outcome": "not_interested"}))
    call = Call.objects.get()

    response = staff_client.post(
        f"/outcomes/calls/{call.pk}/correct/",
        {"outcome_type": "buyer_enquiry", "details": "bedrooms: many"},
        follow=True,
    )

    assert "Bedrooms: “many” is not a number." in response.content.decode()
    assert Outcome.objects.get().is_corrected is False


def test_webhook_delivery_is_recorded_on_the_outcome(client, agent):
    post_event(client, analysed_call({"outcome": "seller_lead"}))
    call = Call.objects.get()

    assert record_webhook_delivery(call.pk, 500)
    outcome = Outcome.objects.get()
    assert not outcome.webhook_sent and outcome.webhook_response_code == 500
    record_webhook_delivery(call.pk, 204)
    outcome.refresh_from_db()
    assert outcome.webhook_sent and outcome.webhook_response_code == 204
    assert outcome.webhook_sent_at is not None


def test_the_call_page_shows_the_outcome_and_its_details(client, staff_client, agent):
    post_event(
        client,
        analysed_call(
            {
                "outcome": "inspection_booked",
                "outcome_confidence": 0.9,
                "inspection_booked__listing": "12 Ocean Street",
            }
        ),
    )
    call = Call.objects.get()

    html = staff_client.get(f"/calls/{call.pk}/").content.decode()

    assert "Inspection booked" in html and "12 Ocean Street" in html and "90%" in html


def test_a_callback_links_to_the_scheduling_page_filled_in(client, staff_client, agent):
    post_event(
        client,
        analysed_call(
            {"outcome": "callback_requested", "callback_requested__when": "2026-03-14T10:00"}
        ),
    )
    call = Call.objects.get()

    html = staff_client.get(f"/calls/{call.pk}/").content.decode()

    link = (
        f"/scheduled-calls/new/?contact={call.contact_id}&amp;agent={call.agent_id}"
        "&amp;at=2026-03-14T10%3A00%3A00"
    )
    assert link in html and "Schedule the callback" in html
    form = staff_client.get(link.replace("&amp;", "&")).content.decode()
    assert call.contact.phone in form and "2026-03-14T10:00" in form


def test_a_voicemail_without_an_outcome_is_recorded_as_voicemail(client, agent):
    payload = analysed_call({})
    payload["data"]["metadata"]["phone_call"]["call_result"] = "voicemail"

    post_event(client, payload)

    outcome = Outcome.objects.get()
    assert outcome.outcome_type == "voicemail" and outcome.unknown_reason == ""


def test_a_call_where_nobody_spoke_is_no_conversation(client, agent):
    payload = analysed_call({})
    payload["data"]["transcript"] = [
        {"role": "agent", "message": "Hello?", "time_in_call_secs": 0},
        {"role": "user", "message": "", "time_in_call_secs": 3},
    ]

    post_event(client, payload)

    assert Outcome.objects.get().outcome_type == "no_conversation"
