"""A member of several agencies switches in the sidebar; a suspended agency's members see
why."""

import pytest
from django.urls import reverse

from agencies.current import agency_is_suspended
from tests.factories import default_agency, make_agency, make_staff_user, update_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_agency_client(client):
    user = make_staff_user(username="franchise")
    bondi = make_agency(name="Bondi Office", slug="bondi")
    user.memberships.create(agency=bondi, role="staff")
    client.force_login(user)
    return client, bondi


def test_the_switcher_shows_only_with_several_agencies(client, two_agency_client):
    client, bondi = two_agency_client
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="agency-switch"' in html
    assert "Bondi Office" in html and "Test Agency" in html

    client.force_login(make_staff_user(username="single"))
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="agency-switch"' not in html and "Test Agency" in html


def test_switching_is_remembered_for_the_session(two_agency_client):
    client, bondi = two_agency_client
    response = client.post(reverse("agencies:switch"), {"agency": bondi.id})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")

    page = client.get(reverse("settings")).content.decode()
    assert 'value="Bondi Office"' in page
    assert "managers and owners change them" in page  # staff in Bondi, owner elsewhere


def test_switching_to_an_agency_one_is_not_in_is_refused(two_agency_client):
    client, _ = two_agency_client
    stranger = make_agency(name="Stranger", slug="stranger")
    assert client.post(reverse("agencies:switch"), {"agency": stranger.id}).status_code == 403
    assert client.post(reverse("agencies:switch"), {"agency": "nonsense"}).status_code == 403
    assert "Test Agency" in client.get(reverse("settings")).content.decode()


def test_switching_never_leads_off_site(two_agency_client):
    client, bondi = two_agency_client
    response = client.post(
        reverse("agencies:switch"), {"agency": bondi.id, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("dashboard")


def test_members_of_a_suspended_agency_see_why(staff_client):
    assert "is suspended" not in staff_client.get(reverse("dashboard")).content.decode()
    update_agency(active=False, suspended_reason="The invoice of March is unpaid.")

    html = staff_client.get(reverse("dashboard")).content.decode()

    assert "Test Agency is suspended." in html
    assert "The invoice of March is unpaid." in html


def test_agency_is_suspended_reads_the_current_state():
    agency = default_agency()
    assert not agency_is_suspended(agency)
    stale = type(agency).objects.get(pk=agency.pk)
    update_agency(active=False)
    assert agency_is_suspended(stale)
    assert not agency_is_suspended(None)


def test_a_superuser_without_membership_can_switch_between_all_agencies(client):
    from django.contrib.auth import get_user_model

    bondi = make_agency(name="Bondi Office", slug="bondi")
    client.force_login(get_user_model().objects.create_superuser(username="root", password="x"))
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="agency-switch"' in html and "Bondi Office" in html

    client.post(reverse("agencies:switch"), {"agency": bondi.id})

    assert 'value="Bondi Office"' in client.get(reverse("settings")).content.decode()
