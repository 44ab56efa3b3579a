"""One date format per context: lists, a page about one thing, a day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.models import Call
from campaigns.models import Campaign
from tests.factories import default_agency, make_call

pytestmark = pytest.mark.django_db

SYDNEY = ZoneInfo("Australia/Sydney")
A_SATURDAY_IN_2024 = datetime(2024, 3, 9, 9, 30, 15, tzinfo=SYDNEY)


def test_lists_show_day_and_time_and_the_year_only_when_it_is_not_this_one(staff_client):
    this_year = timezone.localtime().replace(month=1, day=5, hour=14, minute=7)
    for moment in (this_year, A_SATURDAY_IN_2024):
        call = make_call(started_at=moment)
        Call.objects.filter(pk=call.pk).update(created_at=moment)

    html = staff_client.get("/calls/").content.decode()

    assert f"{this_year:%a} 5 Jan, 2:07 PM" in html
    assert "Sat 9 Mar 2024, 9:30 AM" in html


def test_a_call_page_shows_when_it_started_to_the_second_with_the_zone(staff_client):
    call = make_call(started_at=A_SATURDAY_IN_2024)

    html = staff_client.get(f"/calls/{call.pk}/").content.decode()

    assert "Sat 9 Mar 2024, 9:30:15 AM AEDT" in html


def test_a_list_of_things_made_on_a_day_shows_the_day(staff_client):
    campaign = Campaign.objects.create(agency=default_agency(), name="Spring open homes")
    Campaign.objects.filter(pk=campaign.pk).update(created_at=A_SATURDAY_IN_2024)

    html = staff_client.get("/campaigns/").content.decode()

    assert "9 Mar 2024" in html
    assert "9:30" not in html
