"""The demo data looks like the product's own work: every call's follow-up SMS is complete,
calls ring in office hours and outbound ones keep the calling window."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency, Membership
from calls.models import Call, SmsMessage
from compliance.reports import compliance_report

pytestmark = pytest.mark.django_db


def test_demo_calls_show_their_sms_with_status_and_text(staff_client):
    call_command("load_demo_data", seed=3)

    sent = Call.objects.filter(sms_sent_at__isnull=False)
    assert sent.exists()
    for call in sent:
        assert call.sms_status == Call.SmsStatus.SENT and call.sms_body.startswith("Hi ")
        assert SmsMessage.objects.get(call=call).body == call.sms_body
    unsent = Call.objects.exclude(status=Call.Status.COMPLETED)
    assert all(c.sms_status == Call.SmsStatus.SKIPPED and c.sms_error for c in unsent)

    current = staff_client.get("/calls/").wsgi_request.agency
    mine = sent.filter(agency=current).first()
    page = staff_client.get(f"/calls/{mine.id}/").content.decode()
    assert "Sent" in page and "Delivered" in page and mine.sms_body[:20] in page


def test_demo_data_has_two_agencies_each_with_its_own_calls(staff_client, staff_user):
    call_command("load_demo_data", seed=3)

    agencies = list(Agency.objects.order_by("created_at"))
    assert len(agencies) >= 2
    demo = [agency for agency in agencies if Call.objects.filter(agency=agency).exists()]
    assert len(demo) == 2
    assert Membership.objects.filter(user=staff_user, agency__in=demo).count() == 2
    for agency in demo:
        assert set(Call.objects.filter(agency=agency).values_list("agency", flat=True)) == {
            agency.pk
        }
        names = set(Call.objects.filter(agency=agency).values_list("agent_name", flat=True))
        others = set(Call.objects.exclude(agency=agency).values_list("agent_name", flat=True))
        assert names and not names & others  # each agency's calls are its own agents'
    # The switcher's agencies: the list shows only the current one's calls.
    response = staff_client.get("/calls/")
    listed = response.context["page"].calls
    assert listed and {call.agency_id for call in listed} == {response.wsgi_request.agency.pk}


@pytest.mark.parametrize("local_hour", [9, 23])  # a morning, and a late evening
def test_demo_calls_ring_in_office_hours_and_keep_the_calling_window(local_hour):
    zone = ZoneInfo("Australia/Sydney")
    with time_machine.travel(datetime(2026, 12, 4, local_hour, 5, tzinfo=zone), tick=False):
        call_command("load_demo_data", seed=3)

        for agency in Agency.objects.all():
            report = compliance_report(agency)
            assert report.calls_checked > 0 or not Call.objects.filter(agency=agency).exists()
            assert report.outside_window == []
        for call in Call.objects.all():
            local = timezone.localtime(call.started_at, zone)
            assert time(8, 30) <= local.time() <= time(18, 30), local
            assert call.started_at <= timezone.now()
