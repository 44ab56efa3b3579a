"""Analytics: the calls list filters by outcome and campaign, exports CSV with the filters;
the outcomes dashboard shows a date range's outcomes, conversion, handling time, after-hours
share and SMS delivery; the job page and report carry outcomes. Queries stay constant."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, SmsMessage
from outcomes.models import Outcome
from tests.campaigns.helpers import make_job
from tests.factories import default_agency, make_agent, make_call, make_contact

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")


def analysed(disposition: str, *, details=None, **fields) -> Call:
    call = make_call(disposition=disposition, processed=True, **fields)
    Outcome.objects.create(
        agency=call.agency,
        call=call,
        outcome_type=disposition,
        label=disposition.replace("_", " ").capitalize(),
        extracted_data=details or {},
    )
    return call


def test_the_calls_list_filters_by_outcome(staff_client):
    booked = analysed("appraisal_booked")
    analysed("wrong_number")

    page = staff_client.get(reverse("calls:list"), {"outcome": "appraisal_booked"})

    assert [c.pk for c in page.context["page"].calls] == [booked.pk]
    assert "Appraisal booked" in page.content.decode()


def test_the_calls_list_filters_by_campaign(staff_client):
    job = make_job(["+61400000001", "+61400000002"])
    in_campaign = make_call(direction="outbound", to_phone="+61400000001")
    job.job_calls.filter(batch_contact__phone="+61400000001").update(call=in_campaign)
    make_call()

    page = staff_client.get(reverse("calls:list"), {"campaign": job.campaign_id})

    assert [c.pk for c in page.context["page"].calls] == [in_campaign.pk]


def test_a_campaigns_calls_page_by_cursor_with_a_constant_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    phones = [f"+614000{n:05d}" for n in range(120)]
    job = make_job(phones)
    vendor = make_contact(name="Vera Vendor", phone="+61400000999")
    now = timezone.now()
    # The campaign's 120 calls, one a minute, with other calls of the agency between them.
    for n, phone in enumerate(phones):
        call = make_call(direction="outbound", to_phone=phone, contact=vendor)
        Call.objects.filter(pk=call.pk).update(created_at=now - timedelta(minutes=n))
        job.job_calls.filter(batch_contact__phone=phone).update(call=call)
        other = make_call(from_phone=f"+614999{n:05d}")
        Call.objects.filter(pk=other.pk).update(created_at=now - timedelta(minutes=n, seconds=30))

    def page(**params):
        return staff_client.get(
            reverse("calls:list"), {"campaign": job.campaign_id, **params}
        ).context["page"]

    with django_assert_max_num_queries(10):
        first = page()
    assert [c.to_phone for c in first.calls] == phones[:50]
    assert first.newer_cursor is None and first.older_cursor
    with django_assert_max_num_queries(10):
        second = page(before=first.older_cursor)
    assert [c.to_phone for c in second.calls] == phones[50:100]
    third = page(before=second.older_cursor)
    assert [c.to_phone for c in third.calls] == phones[100:]
    assert third.older_cursor is None and third.newer_cursor
    # Back from the last page to the one before, and the contact of each call came with it.
    back = page(after=third.newer_cursor)
    assert [c.pk for c in back.calls] == [c.pk for c in second.calls]
    with django_assert_max_num_queries(0):
        assert {c.contact.name for c in back.calls} == {"Vera Vendor"}


def test_an_unknown_outcome_filter_is_an_error_not_everything(staff_client):
    page = staff_client.get(reverse("calls:list"), {"outcome": "bogus"})

    assert "Select a valid choice" in page.content.decode()


def test_the_outcome_filter_keeps_a_constant_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    for n in range(60):
        analysed("seller_lead", from_phone=f"+6141111{n:04d}")
    with django_assert_max_num_queries(9):
        response = staff_client.get(reverse("calls:list"), {"outcome": "seller_lead"})
    assert len(response.context["page"].calls) == 50


def test_the_csv_export_applies_the_filters_is_streamed_and_formula_safe(staff_client):
    contact = make_contact(name='=HYPERLINK("http://evil")', phone="+61412345678")
    analysed(
        "buyer_enquiry",
        contact=contact,
        summary="-1 credits left",
        details={"budget": 1500000, "suburbs": ["Bondi"]},
    )
    analysed("wrong_number")

    response = staff_client.get(reverse("outcomes:calls_export"), {"outcome": "buyer_enquiry"})

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="calls-')
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    [row] = rows
    assert row["outcome"] == "buyer_enquiry"
    assert row["contact_name"] == '\'=HYPERLINK("http://evil")'
    assert row["summary"] == "'-1 credits left"
    assert row["from_phone"] == "+61412345678"  # a phone is not a formula
    assert row["outcome_details"] == '{"budget": 1500000, "suburbs": ["Bondi"]}'


def test_the_dashboard_shows_the_ranges_figures(staff_client):
    agent = make_agent(name="Lisa")
    # Wednesday 11 March 2026: one call in office hours, one at 9 pm.
    in_hours = datetime(2026, 3, 11, 10, 0, tzinfo=SYDNEY)
    evening = datetime(2026, 3, 11, 21, 0, tzinfo=SYDNEY)
    first = analysed("appraisal_booked", agent=agent, duration=100)
    second = analysed("wrong_number", agent=agent, duration=200)
    Call.objects.filter(pk=first.pk).update(created_at=in_hours)
    Call.objects.filter(pk=second.pk).update(created_at=evening)
    SmsMessage.objects.create(
        agency=default_agency(),
        direction="outbound",
        call=first,
        from_phone="+1",
        to_phone="+2",
        sid="SM1",
        status="delivered",
    )
    SmsMessage.objects.filter(sid="SM1").update(created_at=in_hours)

    response = staff_client.get(
        reverse("outcomes:analytics"), {"date_from": "2026-03-10", "date_to": "2026-03-12"}
    )

    figures = response.context
    assert figures["total"] == 2
    assert figures["conversion_rate"] == 50
    assert figures["average_duration"] == 150
    assert figures["after_hours_share"] == 50
    assert figures["sms_delivery_rate"] == 100
    assert figures["per_agent"] == [{"name": "Lisa", "calls": 2, "converted": 1, "rate": 50}]
    html = response.content.decode()
    assert "<svg" in html and "Appraisal booked (1)" in html


def test_a_reversed_or_too_long_range_is_refused_with_a_message(staff_client):
    reversed_range = staff_client.get(
        reverse("outcomes:analytics"), {"date_from": "2026-03-12", "date_to": "2026-03-10"}
    )
    too_long = staff_client.get(
        reverse("outcomes:analytics"), {"date_from": "2024-01-01", "date_to": "2026-03-10"}
    )

    assert "“To” must be on or after “From”." in reversed_range.content.decode()
    assert "Choose at most 366 days." in too_long.content.decode()


def test_the_dashboard_keeps_a_constant_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    def load():
        return staff_client.get(reverse("outcomes:analytics"))

    analysed("seller_lead")
    load()
    with django_assert_max_num_queries(12) as few:
        load()
    for n in range(30):
        analysed("appraisal_booked" if n % 2 else "seller_lead", agent=make_agent())
    with django_assert_max_num_queries(len(few)):
        load()


def test_the_job_page_and_report_carry_outcomes(staff_client):
    job = make_job(["+61400000001"])
    call = analysed("inspection_booked", details={"listing": "12 Ocean Street"})
    job.job_calls.update(call=call, status="completed")

    page = staff_client.get(reverse("campaigns:job", args=[job.pk])).content.decode()
    report = staff_client.get(reverse("campaigns:job_report", args=[job.pk]))

    assert 'data-testid="job-outcomes"' in page and "Inspection booked" in page
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    [header, row] = list(csv.reader(io.StringIO(text)))
    assert row[header.index("outcome")] == "inspection_booked"
    assert row[header.index("outcome_details")] == '{"listing": "12 Ocean Street"}'


def test_recent_days_are_the_default_range(staff_client):
    analysed("seller_lead", started_at=timezone.now() - timedelta(hours=1))

    response = staff_client.get(reverse("outcomes:analytics"))

    assert response.context["total"] == 1
    assert (response.context["date_to"] - response.context["date_from"]).days == 29
    start, end = response.context["date_from"], response.context["date_to"]
    page = response.content.decode()
    assert f'name="date_from" value="{start:%Y-%m-%d}"' in page
    assert f'name="date_to" value="{end:%Y-%m-%d}"' in page


def test_calls_land_on_their_local_day_and_office_hours_across_a_clock_change(staff_client):
    # Sydney's clocks go back at 3 am on Sunday 5 April 2026 (UTC+11 → UTC+10).
    moments = [
        datetime(2026, 4, 3, 23, 59, tzinfo=SYDNEY),  # Friday, after hours
        datetime(2026, 4, 4, 0, 1, tzinfo=SYDNEY),  # Saturday
        datetime(2026, 4, 5, 23, 30, tzinfo=SYDNEY),  # Sunday, after the change
        datetime(2026, 4, 6, 8, 29, tzinfo=SYDNEY),  # Monday, before opening
        datetime(2026, 4, 6, 8, 30, tzinfo=SYDNEY),  # Monday, in office hours
        datetime(2026, 4, 6, 17, 30, tzinfo=SYDNEY),  # Monday, closed
    ]
    for moment in moments:
        call = analysed("seller_lead")
        Call.objects.filter(pk=call.pk).update(created_at=moment)

    response = staff_client.get(
        reverse("outcomes:analytics"), {"date_from": "2026-04-03", "date_to": "2026-04-06"}
    )

    per_day = [column.total for column in response.context["chart"]["columns"]]
    assert per_day == [1, 1, 1, 3]
    assert response.context["total"] == 6
    assert response.context["after_hours_share"] == round(100 * 5 / 6)


def test_a_years_range_of_many_calls_keeps_a_constant_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    agents = [make_agent(name=f"Agent {n}") for n in range(4)]
    first = analysed("seller_lead", agent=agents[0])
    Call.objects.filter(pk=first.pk).update(created_at=datetime(2025, 6, 1, 10, tzinfo=SYDNEY))
    kinds = ["appraisal_booked", "seller_lead", "wrong_number", "buyer_enquiry", ""]
    for n in range(150):
        call = analysed(kinds[n % 5] or "seller_lead", agent=agents[n % 4], duration=60 + n)
        moment = datetime(2025, 6, 1, 9, tzinfo=SYDNEY) + timedelta(days=2 * n, hours=n % 14)
        Call.objects.filter(pk=call.pk).update(created_at=moment, disposition=kinds[n % 5])
    one_day = {"date_from": "2025-06-01", "date_to": "2025-06-01"}
    year = {"date_from": "2025-06-01", "date_to": "2026-05-31"}
    # The first load of a day computes and stores it, the next reads what was stored.
    with django_assert_max_num_queries(16) as few:
        staff_client.get(reverse("outcomes:analytics"), one_day)
    with django_assert_max_num_queries(len(few)):
        response = staff_client.get(reverse("outcomes:analytics"), year)
    with django_assert_max_num_queries(len(few)):
        again = staff_client.get(reverse("outcomes:analytics"), year)

    for page in (response, again):
        assert page.context["total"] == 151
        assert page.context["analysed"] == 121
        assert len(page.context["chart"]["columns"]) == 365
        assert {row["name"] for row in page.context["per_agent"]} == {a.name for a in agents}
