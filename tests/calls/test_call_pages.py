from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from contacts.models import Memory
from tests.calls.conftest import post_event
from tests.factories import default_agency, make_agent, make_call, make_contact
from tests.fakeprovider import FAKE_MP3, load_payload

pytestmark = pytest.mark.django_db


def _many_calls(count, *, agency=None, **fields):
    now = timezone.now()
    agency = agency or default_agency()
    calls = [
        Call(
            agency=agency,
            direction="inbound" if n % 3 else "outbound",
            status="completed",
            from_phone=f"+614{n:08d}",
            to_phone="+61280001234",
            agent_name="Lisa",
            elevenlabs_conversation_id=f"conv_many_{n}",
            duration=60 + n,
            **fields,
        )
        for n in range(count)
    ]
    Call.objects.bulk_create(calls)
    # Spread them over time so that the cursor is exercised; created_at is auto_now_add.
    for n, call in enumerate(Call.objects.order_by("from_phone")):
        Call.objects.filter(pk=call.pk).update(created_at=now - timedelta(minutes=n))


def test_list_pages_by_cursor_with_a_constant_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    _many_calls(120)
    # Session, user and the current agency's membership, then the page itself (with the
    # outcome and campaign filters' choices; the outcomes are cached after the first page).
    with django_assert_max_num_queries(9):
        first = staff_client.get(reverse("calls:list"))
    page = first.context["page"]
    assert len(page.calls) == 50 and page.newer_cursor is None and page.older_cursor
    assert page.calls[0].from_phone == "+61400000000"  # newest first
    assert "Older" in first.content.decode()

    with django_assert_max_num_queries(8):
        second = staff_client.get(reverse("calls:list"), {"before": page.older_cursor})
    second_page = second.context["page"]
    assert second_page.calls[0].from_phone == "+61400000050"
    assert second_page.newer_cursor

    back = staff_client.get(reverse("calls:list"), {"after": second_page.newer_cursor})
    assert [c.pk for c in back.context["page"].calls] == [c.pk for c in page.calls]

    third = staff_client.get(reverse("calls:list"), {"before": second_page.older_cursor})
    assert len(third.context["page"].calls) == 20 and third.context["page"].older_cursor is None


def test_list_filters_by_phone_in_any_format_name_direction_status_agent_and_date(staff_client):
    agent = make_agent(name="Lisa")
    priya = make_contact(name="Priya Sharma", phone="+61412345678")
    mine = make_call(contact=priya, agent=agent, from_phone="+61412345678")
    other = make_call(
        from_phone="+61400999888", direction="outbound", status="no_answer", to_phone="+61400999888"
    )
    Call.objects.filter(pk=other.pk).update(created_at=timezone.now() - timedelta(days=10))

    def ids(**params):
        return [c.pk for c in staff_client.get(reverse("calls:list"), params).context["page"].calls]

    assert ids(q="0412 345 678") == [mine.pk]
    assert ids(q="+61 412 345 678") == [mine.pk]
    assert ids(q="sharma") == [mine.pk]
    assert ids(q="345 678") == [mine.pk]  # part of the number, anywhere in it
    assert ids(q="0412") == [mine.pk]
    assert ids(q="0400 999") == [other.pk]  # not a contact: found by the number's start
    assert ids(q="+61 400") == [other.pk]
    assert ids(q="777") == []
    assert ids(direction="outbound") == [other.pk]
    assert ids(status="no_answer") == [other.pk]
    assert ids(agent=str(agent.pk)) == [mine.pk]
    today = timezone.localdate()
    assert ids(date_from=str(today)) == [mine.pk]
    assert ids(date_to=str(today - timedelta(days=5))) == [other.pk]


def test_htmx_filter_returns_only_the_results_partial(staff_client):
    make_call()
    response = staff_client.get(reverse("calls:list"), {"q": "x"}, HTTP_HX_REQUEST="true")
    assert b"<h1>" not in response.content and b"No calls match" in response.content


def test_call_detail_shows_everything_about_the_call(
    client, staff_client, agent, django_assert_max_num_queries
):
    post_event(client, load_payload("post_call_transcription__inbound"))
    call = Call.objects.get()

    # +3: the outcome, its lead alerts and the agency's outcomes for the correction form.
    # +1: the caller's voice clone the call set off, if any (voices).
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("calls:detail", args=[call.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Inspection enquiry" in html and "Priya asked about 12 Ocean Street" in html
    assert "Is 12 Ocean Street still available?" in html
    assert "Tool: check_property" in html
    assert "&quot;address&quot;: &quot;12 Ocean Street&quot;" in html
    assert "&quot;price&quot;: &quot;$1.8M&quot;" in html
    assert "00:04" in html and "00:11" in html
    assert reverse("calls:recording", args=[call.pk]) in html
    assert "Prefers Saturday inspections" in html
    assert "What the agent knew" in html and "caller_name" in html
    assert "Sent" in html and call.sms_body.split(",")[0] in html
    assert reverse("contacts:detail", args=[call.contact.pk]) in html
    assert Memory.objects.filter(call=call).count() == 3


def test_recording_is_fetched_once_through_voqo_and_then_served_from_storage(
    staff_client, provider
):
    call = make_call(elevenlabs_conversation_id="conv_audio")
    provider.add_audio("conv_audio", FAKE_MP3)

    first = staff_client.get(reverse("calls:recording", args=[call.pk]))
    second = staff_client.get(reverse("calls:recording", args=[call.pk]))

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "audio/mpeg"
    assert b"".join(second.streaming_content) == FAKE_MP3
    assert len(provider.requests_to("GET", "/v1/convai/conversations/conv_audio/audio")) == 1


def test_missing_recording_is_a_404_and_an_outage_a_502(staff_client, provider):
    gone = make_call(elevenlabs_conversation_id="conv_gone")
    provider.fail_next("GET", "/v1/convai/conversations/conv_gone/audio", 404)
    assert staff_client.get(reverse("calls:recording", args=[gone.pk])).status_code == 404

    provider.fail_next("GET", "/v1/convai/conversations/conv_gone/audio", 503, times=5)
    assert staff_client.get(reverse("calls:recording", args=[gone.pk])).status_code == 502


def test_dashboard_shows_this_weeks_figures_with_constant_queries(
    staff_client, django_assert_max_num_queries
):
    _many_calls(40)
    make_call(sms_sent=True, direction="inbound", duration=145)

    # 8 for the figures (cold settings cache included), 1 for the getting-started checklist and
    # 1 for the current agency's membership.
    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Calls per day, last 30 days" in html and "<svg" in html
    assert 'role="img"' in html and "calls in 30 days" in html
    assert response.context["month_total"] == 41
    assert response.context["per_agent"][0] == {"agent_name": "Lisa", "count": 40}
    assert len(response.context["recent_calls"]) == 10
    assert response.context["week_sms_sent"] <= 1


@pytest.mark.parametrize("indexed_contacts", [500, 1], ids=["few-matches", "broad-match"])
def test_name_search_finds_the_same_calls_whether_the_name_is_rare_or_common(
    staff_client, monkeypatch, indexed_contacts
):
    from calls import forms

    monkeypatch.setattr(forms, "NAME_SEARCH_INDEXED_CONTACTS", indexed_contacts)
    priya = make_contact(name="Priya Sharma", phone="+61412000001")
    priyanka = make_contact(name="Priyanka Rao", phone="+61412000002")
    other = make_contact(name="James Wilson", phone="+61412000003")
    wanted = {
        make_call(contact=priya, from_phone=priya.phone).pk,
        make_call(contact=priyanka, from_phone=priyanka.phone).pk,
    }
    make_call(contact=other, from_phone=other.phone)

    response = staff_client.get(reverse("calls:list"), {"q": "priya"})

    assert {call.pk for call in response.context["page"].calls} == wanted


@pytest.mark.parametrize("indexed_contacts", [500, 1], ids=["few-matches", "broad-match"])
def test_part_of_a_number_finds_the_same_calls_whether_it_is_rare_or_common(
    staff_client, monkeypatch, indexed_contacts
):
    from calls import selectors

    monkeypatch.setattr(selectors, "PHONE_SEARCH_INDEXED_CONTACTS", indexed_contacts)
    monkeypatch.setattr(selectors, "BROAD_PREFIX_CALLS", indexed_contacts)
    first = make_contact(name="A", phone="+61412345678")
    second = make_contact(name="B", phone="+61499345678")
    wanted = {
        make_call(contact=first, from_phone=first.phone).pk,
        make_call(contact=second, from_phone=second.phone).pk,
    }
    make_call(contact=make_contact(phone="+61412000003"), from_phone="+61412000003")
    make_call(from_phone="+61412000004")  # not a contact

    response = staff_client.get(reverse("calls:list"), {"q": "345 678"})

    assert {call.pk for call in response.context["page"].calls} == wanted
    by_start = staff_client.get(reverse("calls:list"), {"q": "0412"}).context["page"].calls
    assert len(by_start) == 3  # every call from a number that begins +61412
