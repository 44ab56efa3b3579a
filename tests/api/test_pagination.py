from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.models import Call
from tests.factories import make_agent


def _thousand_calls(agency):
    agent = make_agent(agency=agency)
    start = timezone.now()
    Call.objects.bulk_create(
        Call(
            agency=agency,
            agent=agent,
            direction=Call.Direction.INBOUND,
            status=Call.Status.COMPLETED,
            from_phone=f"+6141{n:07d}",
            to_phone="+61280001234",
            elevenlabs_conversation_id=f"conv_page{n:05d}",
        )
        for n in range(1000)
    )
    # Half share one timestamp: the cursor must still neither skip nor repeat a call.
    ids = list(Call.objects.filter(agency=agency).values_list("pk", flat=True))
    Call.objects.filter(pk__in=ids[:500]).update(created_at=start)
    for offset, pk in enumerate(ids[500:]):
        Call.objects.filter(pk=pk).update(created_at=start - timedelta(seconds=offset + 1))
    return set(ids)


def test_cursor_pages_walk_1000_calls_with_constant_queries_and_no_offset(
    api, agency, django_assert_max_num_queries
):
    expected = _thousand_calls(agency)
    seen, url, pages = [], "/api/v1/calls?limit=100", 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200
        assert len(queries) <= 4, [q["sql"] for q in queries]
        assert not any(" OFFSET " in q["sql"].upper() for q in queries)
        page = response.json()
        seen += [call["id"] for call in page["data"]]
        pages += 1
        url = f"/api/v1/calls?limit=100&cursor={page['next_cursor']}" if page["has_more"] else ""
    assert pages == 10
    assert len(seen) == len(set(seen)) == 1000
    assert set(seen) == {str(pk) for pk in expected}


def test_a_broken_cursor_or_limit_is_a_clear_error(api):
    response = api.get("/api/v1/calls?cursor=nonsense")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"
    response = api.get("/api/v1/calls?limit=1000")
    assert response.json()["error"] == {
        "code": "invalid_request",
        "message": "Give a whole number from 1 to 100.",
        "field": "limit",
    }
