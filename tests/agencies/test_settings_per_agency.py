"""Settings are per agency: the same keys and defaults, separate values; the agency's name
and time zone live on the agency itself."""

import pytest
from django.urls import reverse

from agencies.services import create_agency
from tests.factories import default_agency, make_staff_user
from voqo.models import SEEDED_SETTING_KEYS, Setting

pytestmark = pytest.mark.django_db

FORM = {
    "agency_name": "Harbour Realty",
    "time_zone": "Australia/Perth",
    "default_state": "WA",
    "sms_enabled": "on",
    "sms_template": "Hi {caller_name}, from {agent_name}: {call_summary}",
}


def test_saving_settings_changes_only_the_current_agency(staff_client):
    other = create_agency(name="Bondi Office", slug="bondi")
    Setting.all_values(other)  # cached before the change

    response = staff_client.post(reverse("settings"), FORM)

    assert response.status_code == 302
    agency = default_agency()
    agency.refresh_from_db()
    assert (agency.name, agency.time_zone) == ("Harbour Realty", "Australia/Perth")
    mine = Setting.all_values(agency)
    assert mine["agency_name"] == "Harbour Realty" and mine["default_state"] == "WA"
    assert mine["sms_template"] == FORM["sms_template"]
    theirs = Setting.all_values(other)
    assert theirs["agency_name"] == "Bondi Office" and theirs["default_state"] == ""
    assert theirs["sms_template"] != FORM["sms_template"]
    assert not Setting.objects.filter(key__in=["agency_name", "time_zone"]).exists()


def test_a_new_agency_starts_with_the_seeded_settings():
    agency = create_agency(name="Bondi Office", slug="bondi", time_zone="Australia/Brisbane")
    stored = set(Setting.objects.filter(agency=agency).values_list("key", flat=True))
    assert stored == set(SEEDED_SETTING_KEYS)
    assert Setting.all_values(agency)["time_zone"] == "Australia/Brisbane"


def test_the_same_key_may_hold_a_value_per_agency():
    other = create_agency(name="Bondi Office", slug="bondi")
    Setting.set_value("sms_enabled", False, other)
    Setting.set_value("sms_enabled", True, default_agency())
    assert Setting.get_value("sms_enabled", other) is False
    assert Setting.get_value("sms_enabled", default_agency()) is True


def test_name_and_zone_are_changed_on_the_agency_not_as_settings():
    with pytest.raises(ValueError, match="field of the agency"):
        Setting.set_value("time_zone", "Australia/Perth", default_agency())


def test_a_blank_name_is_refused_on_the_page(client):
    client.force_login(make_staff_user())
    response = client.post(reverse("settings"), {**FORM, "agency_name": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    default_agency().refresh_from_db()
    assert default_agency().name == "Test Agency"
