"""The outcomes dashboard reads closed days from stored per-day tallies: the same figures
as from the calls, recomputed when an old call changes, in a constant number of queries."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from outcomes.models import DayTally, Outcome
from tests.calls.conftest import post_event
from tests.factories import make_agent, make_call
from tests.outcomes.conftest import analysed_call

pytestmark = pytest.mark.django_db
SYDNEY = ZoneInfo("Australia/Sydney")
FIGURES = (
    "total",
    "analysed",
    "conversion_rate",
    "average_duration",
    "after_hours_share",
    "chart",
    "by_outcome",
    "per_agent",
    "per_number",
)


def today() -> "datetime.date":
    return timezone.localtime(timezone.now(), SYDNEY).date()


def call_on(days_ago: int, hour: int, disposition: str, **fields) -> Call:
    """A call `days_ago` local days back at `hour` o'clock Sydney time."""
    call = make_call(disposition=disposition, processed=bool(disposition), **fields)
    if disposition:
        Outcome.objects.create(
            agency=call.agency, call=call, outcome_type=disposition, label=disposition
        )
    moment = datetime.combine(today() - timedelta(days=days_ago), time(hour), tzinfo=SYDNEY)
    Call.objects.filter(pk=call.pk).update(created_at=moment)
    return Call.objects.get(pk=call.pk)


def figures(client, days_back: int, days_to: int = 0) -> dict:
    response = client.get(
        reverse("outcomes:analytics"),
        {
            "date_from": str(today() - timedelta(days=days_back)),
            "date_to": str(today() - timedelta(days=days_to)),
        },
    )
    assert response.status_code == 200
    return {name: response.context[name] for name in FIGURES}


@pytest.fixture
def history(db):
    """Calls on closed days, yesterday and today: agents, numbers, directions, statuses,
    durations, office hours and unanalysed calls all vary."""
    lisa, tom = make_agent(name="Lisa"), make_agent(name="Tom")
    kinds = ["appraisal_booked", "seller_lead", "wrong_number", "", "appraisal_booked"]
    for n in range(40):
        call_on(
            n % 12,
            (7 + 3 * n) % 24,
            kinds[n % 5],
            agent=lisa if n % 3 else tom,
            direction="outbound" if n % 4 == 0 else "inbound",
            from_phone=f"+6128000{n % 3:04d}",
            to_phone=f"+6128001{n % 2:04d}",
            status="completed" if n % 6 else "failed",
            duration=None if n % 7 == 0 else 30 + n,
        )


def test_stored_days_show_the_same_figures_as_the_calls(staff_client, history):
    cold = figures(staff_client, 11)
    assert DayTally.objects.exists()
    warm = figures(staff_client, 11)
    # Part of a range stored, the rest computed: still the same as from the calls alone.
    partly = figures(staff_client, 7, 2)
    DayTally.objects.all().delete()
    assert figures(staff_client, 7, 2) == partly

    assert warm == cold
    assert cold["total"] == 40
    assert cold["analysed"] == 32
    assert [column.total for column in cold["chart"]["columns"]][-1] > 0


def test_a_correction_on_a_closed_day_changes_the_dashboard(staff_client, history):
    call = call_on(9, 10, "wrong_number")
    before = figures(staff_client, 11)

    response = staff_client.post(
        reverse("outcomes:correct", args=[call.pk]),
        {"outcome_type": "appraisal_booked", "details": ""},
    )

    assert response.status_code == 302
    after = figures(staff_client, 11)
    counts = {
        key: {row["key"]: row["count"] for row in f["by_outcome"]}
        for key, f in (("before", before), ("after", after))
    }
    assert counts["after"]["appraisal_booked"] == counts["before"]["appraisal_booked"] + 1
    assert counts["after"]["wrong_number"] == counts["before"]["wrong_number"] - 1


def test_a_deleted_call_leaves_the_dashboard(staff_client, history):
    call = call_on(9, 10, "seller_lead")
    before = figures(staff_client, 11)

    call.delete()

    assert figures(staff_client, 11)["total"] == before["total"] - 1


def test_a_late_analysis_of_an_old_call_changes_the_dashboard(client, staff_client, agent):
    call_on(9, 10, "", agent=agent, elevenlabs_conversation_id="conv_late_analysis")
    assert figures(staff_client, 11)["analysed"] == 0

    post_event(
        client, analysed_call({"outcome": "seller_lead"}, conversation_id="conv_late_analysis")
    )

    after = figures(staff_client, 11)
    assert after["analysed"] == 1
    assert after["by_outcome"][0]["key"] == "seller_lead"


def test_stored_days_are_recomputed_once_old(staff_client, history):
    call = call_on(9, 10, "seller_lead")
    before = figures(staff_client, 11)
    # A change no hook sees (made in the database directly) shows once the rows are old.
    Call.objects.filter(pk=call.pk).update(disposition="wrong_number")
    assert figures(staff_client, 11) == before

    DayTally.objects.update(computed_at=timezone.now() - timedelta(hours=7))

    counts = {row["key"]: row["count"] for row in figures(staff_client, 11)["by_outcome"]}
    assert (
        counts["seller_lead"]
        == {r["key"]: r["count"] for r in before["by_outcome"]}["seller_lead"] - 1
    )


def test_stored_days_keep_local_days_across_a_clock_change(staff_client):
    # Sydney's clocks go back at 3 am on Sunday 5 April 2026 (UTC+11 → UTC+10).
    moments = [
        datetime(2026, 4, 4, 23, 59, tzinfo=SYDNEY),
        datetime(2026, 4, 5, 0, 1, tzinfo=SYDNEY),
        datetime(2026, 4, 5, 2, 30, tzinfo=SYDNEY),
        datetime(2026, 4, 5, 23, 30, tzinfo=SYDNEY),
        datetime(2026, 4, 6, 0, 30, tzinfo=SYDNEY),
    ]
    for moment in moments:
        call = make_call(disposition="seller_lead")
        Call.objects.filter(pk=call.pk).update(created_at=moment)
    week = {"date_from": "2026-04-03", "date_to": "2026-04-07"}

    cold = staff_client.get(reverse("outcomes:analytics"), week).context["chart"]
    warm = staff_client.get(reverse("outcomes:analytics"), week).context["chart"]

    assert [c.total for c in cold["columns"]] == [0, 1, 3, 1, 0]
    assert [c.total for c in warm["columns"]] == [0, 1, 3, 1, 0]


def test_queries_stay_constant_for_a_day_or_a_year_cold_or_warm(
    staff_client, history, django_assert_max_num_queries
):
    def load(days_back: int):
        return figures(staff_client, days_back, 3 if days_back == 3 else 0)

    with django_assert_max_num_queries(30) as one_day_cold:
        load(3)
    with django_assert_max_num_queries(len(one_day_cold)):
        year = load(365)
    with django_assert_max_num_queries(len(one_day_cold)):
        assert load(365) == year
    # Every day stale at once: still one grouped query and one insert.
    DayTally.objects.update(computed_at=timezone.now() - timedelta(days=1))
    with django_assert_max_num_queries(len(one_day_cold)):
        assert load(365) == year
    assert year["total"] == 40
