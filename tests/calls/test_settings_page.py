import pytest
from django.urls import reverse

from tests.factories import default_agency
from voqo.models import Setting

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "agency_name": "Harbour Realty",
        "time_zone": "Australia/Perth",
        "sms_enabled": "on",
        "sms_template": "Hi {caller_name}, {call_summary}. - {agent_name}",
    }
    return {**data, **changes}


def test_settings_page_shows_the_current_values_and_a_preview(staff_client):
    response = staff_client.get(reverse("settings"))

    html = response.content.decode()
    assert response.status_code == 200
    # The default template greets by first name, for calls in either direction.
    assert "Hi Priya, thanks for talking with us today." in html
    assert "SMS segment" in html
    assert 'hx-post="/settings/sms-preview"' in html


def test_saving_stores_every_setting_and_flashes(staff_client):
    response = staff_client.post(reverse("settings"), _form(), follow=True)

    assert "Settings saved." in response.content.decode()
    values = Setting.all_values(default_agency())
    assert values["time_zone"] == "Australia/Perth"
    assert values["sms_enabled"] is True and values["sms_skip_silent"] is False
    assert values["auto_create_contacts"] is False and values["save_memories"] is False
    assert values["sms_template"] == "Hi {caller_name}, {call_summary}. - {agent_name}"


def test_unknown_variables_are_refused_naming_them(staff_client):
    response = staff_client.post(
        reverse("settings"), _form(sms_template="Hi {surname}, {call_summary} {price}")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown variables {surname}, {price}" in html
    assert Setting.get_value("sms_template", default_agency()).startswith("Hi {first_name}, thanks")


def test_unbalanced_braces_are_refused(staff_client):
    response = staff_client.post(reverse("settings"), _form(sms_template="Hi {caller_name"))
    assert "unbalanced brace" in response.content.decode()


def test_preview_counts_characters_and_segments(staff_client):
    response = staff_client.post(
        reverse("settings_sms_preview"), {"sms_template": "Hi {first_name}!"}
    )
    html = response.content.decode()
    assert "Hi Priya!" in html and "9 characters · 1 SMS segment" in html and "GSM-7" in html


def test_preview_of_an_emoji_template_counts_ucs2_segments(staff_client):
    template = "Hi {caller_name} 😊 " + "x" * 70
    response = staff_client.post(reverse("settings_sms_preview"), {"sms_template": template})
    html = response.content.decode()
    assert "UCS-2" in html and "2 SMS segments" in html


def test_preview_names_unknown_variables(staff_client):
    response = staff_client.post(reverse("settings_sms_preview"), {"sms_template": "{nope}"})
    assert "Unknown variable {nope}" in response.content.decode()


def test_the_agency_says_which_state_its_contacts_live_in(staff_client):
    page = staff_client.get(reverse("settings")).content.decode()
    assert "Where your contacts live" in page and "Anywhere in Australia" in page

    staff_client.post(reverse("settings"), _form(default_state="WA"))
    assert Setting.get_value("default_state", default_agency()) == "WA"

    response = staff_client.post(reverse("settings"), _form(default_state="Perth"))
    assert "Select a valid choice" in response.content.decode()
    assert Setting.get_value("default_state", default_agency()) == "WA"

    staff_client.post(reverse("settings"), _form(default_state=""))
    assert Setting.get_value("default_state", default_agency()) == ""


def test_the_preview_fills_names_as_a_real_sms_does(staff_client):
    html = staff_client.post(
        reverse("settings_sms_preview"), {"sms_template": "Hi {first_name} ({caller_name})"}
    ).content.decode()
    assert "Hi Priya (Priya Sharma)" in html


def test_the_seeded_template_is_the_new_default_after_migrating():
    from voqo.models import DEFAULT_SETTINGS

    template = Setting.get_value("sms_template", default_agency())
    assert template == DEFAULT_SETTINGS["sms_template"]
    assert "thanks for calling" not in template and template.startswith("Hi {first_name},")
