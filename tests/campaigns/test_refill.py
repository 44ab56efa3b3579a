"""A dispatch that finds every slot taken leaves without locking or writing anything."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import engine
from campaigns.models import JobCall
from tests.campaigns.helpers import (
    assert_counters_match_rows,
    dialled_numbers,
    make_job,
    mobiles,
)

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN", "SAVEPOINT")


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_with_every_slot_taken_by_live_calls_neither_locks_nor_writes(
    live_provider_settings,
):
    phones = mobiles(4)
    job = make_job(phones, cap=2)
    engine.dispatch_job(job.pk)  # two calls answered and still talking: the cap is reached
    assert len(dialled_numbers(live_provider_settings)) == 2

    with CaptureQueriesContext(connection) as queries:
        report = engine.dispatch_job(job.pk)

    assert report.claimed == 0
    assert len(dialled_numbers(live_provider_settings)) == 2
    statements = [query["sql"].lstrip().upper() for query in queries.captured_queries]
    assert not [sql for sql in statements if sql.startswith(WRITES) or "FOR UPDATE" in sql]
    assert JobCall.objects.filter(job=job, status=JobCall.Status.CALLING).count() == 2
    assert_counters_match_rows(job)
