"""Calls belong to one agency: lists, pages, figures and webhook problems show only the
current agency's; another agency's ids are not found; roles decide who may act."""

import copy

import pytest
from django.db import connection
from django.urls import reverse

from agencies.models import Membership
from calls import receiving
from calls.models import Call, SmsMessage, WebhookEvent
from contacts.models import Contact
from tests.calls.conftest import post_event, post_twilio
from tests.factories import default_agency, make_agency, make_call, make_staff_user
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db


def _event(conversation_id: str, kind: str = "post_call_transcription__inbound") -> dict:
    event = copy.deepcopy(load_payload(kind))
    event["data"]["conversation_id"] = conversation_id
    return event


def _parked_event(agency, conversation_id="conv_parked") -> WebhookEvent:
    return WebhookEvent.objects.create(
        agency=agency,
        event_type="post_call_transcription",
        conversation_id=conversation_id,
        payload={},
        attempts=receiving.EVENT_MAX_ATTEMPTS,
        failed_at="2026-03-11T02:00:00Z",
        last_error="ValueError: broken",
    )


@pytest.fixture
def other_agency():
    return make_agency(name="Harbour Realty", slug="harbour")


def test_the_list_shows_only_the_current_agencys_calls(staff_client, other_agency):
    make_call(from_phone="+61411111111")
    make_call(agency=other_agency, from_phone="+61422222222")

    response = staff_client.get(reverse("calls:list"))

    assert [call.from_phone for call in response.context["page"].calls] == ["+61411111111"]
    assert "+61422222222" not in response.content.decode()


def test_another_agencys_call_is_not_found(staff_client, other_agency):
    theirs = make_call(agency=other_agency)

    assert staff_client.get(reverse("calls:detail", args=[theirs.id])).status_code == 404
    assert staff_client.get(reverse("calls:recording", args=[theirs.id])).status_code == 404


def test_the_filters_offer_only_the_current_agencys_agents(staff_client, agent):
    form = staff_client.get(reverse("calls:list")).context["form"]
    agents = form.fields["agent"].queryset
    assert agent in agents
    # Another agency's agent is refused as a choice (once agents carry their agency).
    if "agency" in {field.name for field in agents.model._meta.get_fields()}:
        from tests.factories import make_agent

        theirs = make_agent(agency=make_agency())
        assert theirs not in agents
        response = staff_client.get(reverse("calls:list"), {"agent": theirs.id})
        assert response.context["form"].errors["agent"]


def test_the_dashboard_counts_only_the_current_agencys_calls(staff_client, other_agency):
    make_call()
    make_call(agency=other_agency)
    make_call(agency=other_agency)

    response = staff_client.get(reverse("dashboard"))

    assert response.context["week_total"] == 1
    assert response.context["month_total"] == 1
    assert len(response.context["recent_calls"]) == 1


def test_list_queries_stay_constant_with_many_agencies(
    staff_client, other_agency, django_assert_max_num_queries
):
    for n in range(30):
        make_call(agency=other_agency if n % 2 else default_agency())
    # +2: the outcome and campaign filters' choices (the outcomes are cached after this).
    with django_assert_max_num_queries(9):
        staff_client.get(reverse("calls:list"))


def test_calls_list_pages_read_the_agency_date_index(staff_client):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans a tiny table differently")
    make_call()
    agency = default_agency()
    calls = Call.objects.filter(agency=agency).order_by("-created_at", "-id")[:51]
    sql, params = calls.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "idx_calls_agency_date" in plan


# -- webhook problems --------------------------------------------------------------------


def test_the_problems_page_lists_only_the_current_agencys_events(staff_client, other_agency):
    _parked_event(default_agency(), "conv_mine")
    _parked_event(other_agency, "conv_theirs")

    page = staff_client.get(reverse("calls:webhook_problems")).content.decode()

    assert "conv_mine" in page and "conv_theirs" not in page


def test_another_agencys_event_cannot_be_retried(staff_client, other_agency):
    theirs = _parked_event(other_agency)

    response = staff_client.post(reverse("calls:webhook_problem_retry", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.failed_at is not None


@pytest.mark.parametrize(("role", "status"), [("read_only", 403), ("staff", 403), ("manager", 302)])
def test_retrying_an_event_needs_a_manager(client, role, status):
    client.force_login(make_staff_user(username=role, role=role))
    event = _parked_event(default_agency())

    response = client.post(reverse("calls:webhook_problem_retry", args=[event.pk]))

    assert response.status_code == status
    event.refresh_from_db()
    assert (event.failed_at is None) == (status == 302)


def test_members_who_cannot_retry_see_no_retry_button(client):
    client.force_login(make_staff_user(username="viewer", role=Membership.Role.READ_ONLY))
    _parked_event(default_agency())

    page = client.get(reverse("calls:webhook_problems")).content.decode()

    assert "conv_parked" in page and "Retry" not in page


def test_a_processed_event_records_its_calls_agency(client, agent):
    post_event(client, _event("conv_agency"))

    event = WebhookEvent.objects.get()
    call = Call.objects.get(elevenlabs_conversation_id="conv_agency")
    assert event.processed_at is not None and event.agency_id == call.agency_id


def test_a_failing_event_shows_on_its_agencys_problems_page(
    staff_client, client, agent, database_refusing_call
):
    database_refusing_call("conv_failing")
    post_event(client, _event("conv_failing"))

    event = WebhookEvent.objects.get()
    assert event.processed_at is None and event.agency == default_agency()
    assert b"conv_failing" in staff_client.get(reverse("calls:webhook_problems")).content


# -- a suspended agency --------------------------------------------------------------------


def test_a_suspended_agencys_webhook_is_stored_and_applied_but_sends_no_sms(
    client, agent, provider
):
    default_agency().__class__.objects.filter(pk=default_agency().pk).update(active=False)

    response = post_event(client, _event("conv_suspended"))

    assert response.status_code == 200
    call = Call.objects.get(elevenlabs_conversation_id="conv_suspended")
    assert call.status == "completed" and call.contact is not None
    assert call.sms_status == "skipped" and "suspended" in call.sms_error
    assert not provider.requests_to("POST", "/2010-04-01/Accounts/")
    assert WebhookEvent.objects.get().processed_at is not None


# -- replies -------------------------------------------------------------------------------


def test_a_reply_is_kept_with_the_agency_of_the_contact_who_texted(client):
    agency = default_agency()
    contact = Contact.objects.create(name="Priya", phone="+61412345678", agency=agency)
    params = {
        "MessageSid": "SM" + "1" * 32,
        "From": "+61412345678",
        "To": "+61280001234",
        "Body": "STOP",
    }

    post_twilio(client, "twilio_sms", params)

    (reply,) = SmsMessage.objects.filter(direction="inbound")
    assert reply.contact == contact
    assert reply.agency == (getattr(contact, "agency", None) or agency)
    assert Contact.objects.get().is_opted_out


# -- one phone number, two agencies ------------------------------------------------------------

_contacts_have_agencies = "agency" in {f.name for f in Contact._meta.get_fields()}


@pytest.mark.skipif(
    not _contacts_have_agencies, reason="contacts gain their agency in the contacts app"
)
def test_a_webhook_for_one_agencys_agent_never_touches_another_agencys_contact(
    client, provider, other_agency
):
    from contacts.models import Memory
    from tests.calls.conftest import EL_AGENT_ID
    from tests.factories import make_agent, make_contact

    mine = default_agency()
    make_agent(agency=mine, name="Lisa", elevenlabs_agent_id=EL_AGENT_ID, sync_status="synced")
    theirs = make_contact(agency=other_agency, name="Theirs", phone="+61412345678")

    post_event(client, _event("conv_two_agencies"))

    call = Call.objects.get(elevenlabs_conversation_id="conv_two_agencies")
    assert call.agency == mine
    assert call.contact is not None and call.contact != theirs
    assert call.contact.agency == mine and call.contact.phone == "+61412345678"
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and theirs.last_call_at is None
    assert not Memory.objects.filter(contact=theirs).exists()
    assert not Call.objects.filter(contact=theirs).exists()
    assert WebhookEvent.objects.get().agency == mine


@pytest.mark.skipif(
    not _contacts_have_agencies, reason="contacts gain their agency in the contacts app"
)
def test_a_stop_to_the_install_number_reaches_every_agency_with_that_contact(client, other_agency):
    from tests.factories import make_contact

    mine = make_contact(agency=default_agency(), phone="+61412345678")
    theirs = make_contact(agency=other_agency, phone="+61412345678")
    params = {"MessageSid": "SM" + "2" * 32, "From": "+61412345678", "To": "+6128", "Body": "STOP"}

    post_twilio(client, "twilio_sms", params)
    post_twilio(client, "twilio_sms", params)  # Twilio retried: nothing new

    replies = SmsMessage.objects.filter(direction="inbound")
    assert sorted((m.agency_id, m.contact_id) for m in replies) == sorted(
        [(default_agency().pk, mine.pk), (other_agency.pk, theirs.pk)]
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_opted_out and theirs.is_opted_out
