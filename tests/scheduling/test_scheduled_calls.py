"""Scheduling a call: in the agency's zone, within the recipient's window (DST included),
placed once by the worker with the prompt it was given."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from calls.signals import call_finished
from phone_numbers.models import PhoneNumber
from scheduling import services
from scheduling.models import ScheduledCall
from tests.factories import default_agency, make_agent, make_contact, update_agency

OUTBOUND = "/v1/convai/twilio/outbound-call"
BRISBANE = ZoneInfo("Australia/Brisbane")
SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


def form(agent, **fields) -> dict:
    return {"recipients": "0412 345 678", "agent": agent.id, "at": "2026-03-12T13:00", **fields}


def run_worker(now: datetime) -> None:
    with time_machine.travel(now, tick=False):
        call_command("place_scheduled_calls", stdout=open("/dev/null", "w"))


# -- scheduling --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_call_is_scheduled_in_the_agencys_time_zone(staff_client, agent, within_calling_hours):
    update_agency(time_zone="Australia/Perth")
    priya = make_contact(name="Priya", phone="+61412345678", state="WA")

    response = staff_client.post(reverse("scheduling:new"), form(agent))

    assert response.status_code == 302
    row = ScheduledCall.objects.get()
    assert row.scheduled_at == datetime(2026, 3, 12, 13, 0, tzinfo=ZoneInfo("Australia/Perth"))
    assert row.contact == priya and row.status == "pending"
    listing = staff_client.get(reverse("scheduling:list")).content.decode()
    assert "Priya" in listing


@pytest.mark.django_db
def test_several_numbers_make_one_scheduled_call_each(staff_client, agent, within_calling_hours):
    response = staff_client.post(
        reverse("scheduling:new"), form(agent, recipients="0412 345 678\n0412 999 888\n")
    )
    assert response.status_code == 302
    rows = ScheduledCall.objects.order_by("phone")
    assert [row.phone for row in rows] == ["+61412345678", "+61412999888"]
    assert rows[0].batch == rows[1].batch


@pytest.mark.django_db
def test_a_time_outside_the_window_is_refused_with_the_next_allowed_time(
    staff_client, agent, within_calling_hours
):
    update_agency(time_zone="Australia/Sydney")
    make_contact(name="Priya", phone="+61412345678", state="NSW")

    response = staff_client.post(reverse("scheduling:new"), form(agent, at="2026-03-12T20:30"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "That time is outside calling hours for Priya" in page
    assert "The next allowed time is Fri 13 Mar, 9:00 AM (Sydney time)" in page
    assert 'value="2026-03-13T09:00"' in page  # "Use the next allowed time instead"
    assert not ScheduledCall.objects.exists()


@pytest.mark.django_db
def test_the_window_follows_the_recipients_clock_across_a_dst_change(staff_client, agent):
    # Brisbane keeps standard time; Sydney moves its clocks forward on Sunday 4 October.
    update_agency(time_zone="Australia/Brisbane")
    make_contact(name="Priya", phone="+61412345678", state="NSW")
    with time_machine.travel(datetime(2026, 10, 1, 12, 0, tzinfo=BRISBANE), tick=False):
        # Friday 2 October, 7:30 pm in Brisbane is 7:30 pm in Sydney: within the window.
        before = staff_client.post(reverse("scheduling:new"), form(agent, at="2026-10-02T19:30"))
        # Monday 5 October, 7:30 pm in Brisbane is 8:30 pm in Sydney: after it.
        after = staff_client.post(reverse("scheduling:new"), form(agent, at="2026-10-05T19:30"))

    assert before.status_code == 302
    assert ScheduledCall.objects.get().scheduled_at == datetime(2026, 10, 2, 19, 30, tzinfo=SYDNEY)
    page = after.content.decode()
    assert "outside calling hours for Priya" in page
    # Tuesday 9 am in Sydney is 8 am in Brisbane, the agency's clock.
    assert "Tue 6 Oct, 9:00 AM (Sydney time)" in page
    assert 'value="2026-10-06T08:00"' in page


@pytest.mark.django_db
def test_a_time_the_clocks_skip_is_refused(staff_client, agent):
    update_agency(time_zone="Australia/Sydney")
    with time_machine.travel(datetime(2026, 10, 1, 12, 0, tzinfo=SYDNEY), tick=False):
        response = staff_client.post(reverse("scheduling:new"), form(agent, at="2026-10-04T02:30"))
    assert "does not exist in Sydney time" in response.content.decode()
    assert not ScheduledCall.objects.exists()


@pytest.mark.django_db
def test_bad_input_is_refused_with_a_reason(staff_client, agent, within_calling_hours):
    cases = [
        ({"recipients": "12"}, "12: "),
        ({"recipients": "1300 123 456"}, "1300 123 456: "),
        ({"at": "2026-03-10T10:00"}, "That time has passed"),
        ({"at": "tomorrow"}, "Enter a valid date/time."),
        ({"variables": "not a variable"}, "Line 1 is not name=value"),
    ]
    for fields, message in cases:
        response = staff_client.post(reverse("scheduling:new"), form(agent, **fields))
        assert response.status_code == 200, fields
        assert message in response.content.decode(), fields
    assert not ScheduledCall.objects.exists()


@pytest.mark.django_db
def test_an_opted_out_contact_cannot_be_scheduled(staff_client, agent, within_calling_hours):
    make_contact(name="Priya", phone="+61412345678", opted_out_at=timezone.now())
    response = staff_client.post(reverse("scheduling:new"), form(agent))
    assert "Priya has opted out" in response.content.decode()
    assert not ScheduledCall.objects.exists()


@pytest.mark.django_db
def test_another_agencys_number_cannot_be_the_from_number(agent, within_calling_hours):
    from tests.factories import make_agency

    theirs = PhoneNumber.objects.create(agency=make_agency(), number="+61299990000")
    with pytest.raises(services.SchedulingRefused, match="not one of this agency's"):
        services.schedule_call(
            agency=default_agency(),
            agent=agent,
            recipients=[services.Recipient(phone="+61412345678")],
            at=timezone.now() + timedelta(hours=1),
            from_number=theirs,
        )


@pytest.mark.django_db
def test_call_back_prefills_the_form(staff_client, agent, within_calling_hours):
    priya = make_contact(name="Priya", phone="+61412345678")
    call = Call.objects.create(
        agency=default_agency(),
        agent=agent,
        contact=priya,
        direction="inbound",
        status="completed",
        from_phone="+61412345678",
        to_phone="+61280001234",
    )
    detail = staff_client.get(reverse("calls:detail", args=[call.id])).content.decode()
    assert f"{reverse('scheduling:new')}?call={call.id}" in detail

    page = staff_client.get(
        reverse("scheduling:new"), {"contact": priya.id, "at": "2026-03-13T01:00:00+00:00"}
    ).content.decode()
    assert "+61412345678</textarea>" in page
    assert 'value="2026-03-13T12:00"' in page  # 1 am UTC is noon in Sydney (AEDT)

    page = staff_client.get(reverse("scheduling:new"), {"call": call.id}).content.decode()
    assert "+61412345678</textarea>" in page
    assert f'<option value="{agent.id}" selected>' in page


# -- edit, reschedule, cancel --------------------------------------------------------------


def schedule(agent, at, **fields) -> ScheduledCall:
    (row,) = services.schedule_call(
        agency=default_agency(),
        agent=agent,
        recipients=services.recipients_for(
            agency=default_agency(), phones=[fields.pop("phone", "+61412345678")]
        ),
        at=at,
        **fields,
    )
    return row


@pytest.mark.django_db
def test_a_pending_call_is_rescheduled_and_cancelled(staff_client, agent, within_calling_hours):
    row = schedule(agent, within_calling_hours + timedelta(hours=2))

    response = staff_client.post(
        reverse("scheduling:edit", args=[row.id]), {"agent": agent.id, "at": "2026-03-13T13:00"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.scheduled_at == datetime(2026, 3, 13, 13, 0, tzinfo=SYDNEY)

    confirm = staff_client.get(reverse("scheduling:cancel", args=[row.id])).content.decode()
    assert "Cancel the call to" in confirm
    staff_client.post(reverse("scheduling:cancel", args=[row.id]))
    row.refresh_from_db()
    assert row.status == "cancelled"

    again = staff_client.post(
        reverse("scheduling:edit", args=[row.id]), {"agent": agent.id, "at": "2026-03-13T14:00"}
    )
    assert again.status_code == 302
    row.refresh_from_db()
    assert row.scheduled_at == datetime(2026, 3, 13, 13, 0, tzinfo=SYDNEY)


@pytest.mark.django_db
def test_the_week_view_shows_each_call_on_its_local_day(staff_client, agent, within_calling_hours):
    make_contact(name="Priya", phone="+61412345678")
    schedule(agent, datetime(2026, 3, 13, 13, 0, tzinfo=SYDNEY))

    page = staff_client.get(reverse("scheduling:week"), {"start": "2026-03-11"}).content.decode()

    assert "Mon 9 Mar – Sun 15 Mar 2026" in page
    friday = page.split("Fri 13 Mar")[1].split("Sat 14 Mar")[0]
    assert "1:00 PM Priya" in friday


# -- the worker ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_places_a_due_call_once_with_the_snapshotted_prompt(
    agent, live_provider_settings, within_calling_hours
):
    other = make_agent(name="Tom", system_prompt="You are Tom. Be brief.")
    PhoneNumber.objects.create(
        agency=default_agency(),
        number="+61280009999",
        elevenlabs_phone_number_id="phnum_sales",
        default_outbound=True,
    )
    row = schedule(
        agent,
        within_calling_hours + timedelta(minutes=30),
        prompt=services.prompt_from_agent(other),
        dynamic_variables={"property_address": "12 Smith St"},
    )
    other.system_prompt = "You are Tom, edited later."
    other.save()

    run_worker(within_calling_hours + timedelta(minutes=29))
    assert not live_provider_settings.requests_to("POST", OUTBOUND)

    run_worker(within_calling_hours + timedelta(minutes=31))
    run_worker(within_calling_hours + timedelta(minutes=32))  # a second tick, or a retry

    (request,) = live_provider_settings.requests_to("POST", OUTBOUND)
    body = request.json
    client_data = body["conversation_initiation_client_data"]
    assert client_data["conversation_config_override"]["agent"]["prompt"] == {
        "prompt": "You are Tom. Be brief."
    }
    assert client_data["dynamic_variables"]["property_address"] == "12 Smith St"
    assert body["agent_phone_number_id"] == "phnum_sales" and body["to_number"] == "+61412345678"
    row.refresh_from_db()
    assert row.status == "in_progress" and row.call.from_phone == "+61280009999"

    row.call.status = Call.Status.COMPLETED
    row.call.save()
    call_finished.send(sender=Call, call=row.call)
    row.refresh_from_db()
    assert row.status == "completed"


@pytest.mark.django_db
def test_a_call_that_does_not_connect_fails_the_scheduled_call(
    agent, live_provider_settings, within_calling_hours
):
    row = schedule(agent, within_calling_hours)
    run_worker(within_calling_hours + timedelta(minutes=1))
    row.refresh_from_db()
    row.call.status, row.call.failure_reason = Call.Status.NO_ANSWER, "No answer"
    row.call.save()
    call_finished.send(sender=Call, call=row.call)
    row.refresh_from_db()
    assert row.status == "failed" and row.failure_reason == "No answer"


@pytest.mark.django_db
def test_a_worker_running_late_does_not_call_outside_the_window(
    agent, live_provider_settings, within_calling_hours
):
    row = schedule(agent, within_calling_hours)
    run_worker(within_calling_hours + timedelta(hours=10))  # 11 pm in Sydney
    row.refresh_from_db()
    assert row.status == "failed"
    assert "outside calling hours by the time Voqo could place it" in row.failure_reason
    assert not live_provider_settings.requests_to("POST", OUTBOUND)


@pytest.mark.django_db
def test_a_refused_provider_call_fails_with_the_reason(
    agent, live_provider_settings, within_calling_hours
):
    live_provider_settings.fail_next("POST", OUTBOUND, status=422)
    row = schedule(agent, within_calling_hours)
    run_worker(within_calling_hours + timedelta(minutes=1))
    row.refresh_from_db()
    assert row.status == "failed" and row.failure_reason.startswith("The provider refused")


@pytest.mark.django_db
def test_a_cancelled_call_is_never_placed(agent, live_provider_settings, within_calling_hours):
    row = schedule(agent, within_calling_hours)
    services.cancel_scheduled_call(scheduled_call=row)
    run_worker(within_calling_hours + timedelta(minutes=1))
    assert not live_provider_settings.requests_to("POST", OUTBOUND)


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_place_a_scheduled_call_twice(live_provider_settings):
    live_provider_settings.latency = 0.05  # dials overlap the other worker's claims
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")
    now = datetime(2026, 3, 11, 13, 0, tzinfo=SYDNEY)
    phones = [f"+6141234{n:04d}" for n in range(8)]
    with time_machine.travel(now - timedelta(minutes=5), tick=False):
        services.schedule_call(
            agency=default_agency(),
            agent=agent,
            recipients=[services.Recipient(phone=phone) for phone in phones],
            at=now,
        )
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(3):  # the tick, and retries of it
                services.place_due_calls(now=now + timedelta(minutes=1))
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    dialled = [r.json["to_number"] for r in live_provider_settings.requests_to("POST", OUTBOUND)]
    assert sorted(dialled) == phones
    assert Call.objects.count() == 8
    assert set(ScheduledCall.objects.values_list("status", flat=True)) == {"in_progress"}


@pytest.mark.django_db
def test_the_contact_page_offers_to_schedule_a_call(staff_client, within_calling_hours):
    priya = make_contact(name="Priya", phone="+61412345678")
    page = staff_client.get(reverse("contacts:detail", args=[priya.id])).content.decode()
    assert f"{reverse('scheduling:new')}?contact={priya.id}" in page
