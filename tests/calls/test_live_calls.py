"""Calls placed and not yet ended are listed on the dashboard with their elapsed time."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from tests.factories import make_agency, make_call, make_contact

pytestmark = pytest.mark.django_db


def placed(minutes_ago: int, **fields) -> Call:
    call = make_call(direction="outbound", status="initiated", duration=None, **fields)
    Call.objects.filter(pk=call.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago), started_at=None, ended_at=None
    )
    return call


@time_machine.travel("2026-03-11 02:00:00+00:00", tick=False)
def test_live_calls_show_on_the_dashboard_with_elapsed_time(staff_client):
    placed(3, contact=make_contact(name="Priya"))
    placed(45, to_phone="+61412999888")
    make_call(status="completed")  # ended: not live

    dashboard = staff_client.get(reverse("dashboard")).content.decode()
    # The dashboard loads the panel (its own request, so the page's queries stay as they were).
    assert f'hx-get="{reverse("calls:live")}" hx-trigger="load"' in dashboard

    page = staff_client.get(reverse("calls:live"), HTTP_HX_REQUEST="true").content.decode()
    live = page.split('id="live-calls"')[1].split("</section>")[0]
    assert "Priya" in live and "3m 0s" in live
    assert "0412 999 888" in live and "Waiting for the result" in live
    assert live.count("<tr>") == 3  # a header and two calls
    assert 'hx-trigger="every 5s"' in page


def test_the_live_panel_polls_slowly_when_nothing_is_live(staff_client):
    placed(3, agency=make_agency())  # another agency's call is not shown

    fragment = staff_client.get(reverse("calls:live"), HTTP_HX_REQUEST="true").content.decode()

    assert "No calls in progress." in fragment and "<html" not in fragment
    assert 'hx-trigger="every 30s"' in fragment
