"""The current agency comes from the membership: remembered in the session, checked on
every request, with the role checked on the server."""

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership
from tests.factories import default_agency, make_agency, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.agencies.urls_probing_the_agency")]


def _whoami(client):
    response = client.get("/probe/whoami")
    assert response.status_code == 200
    return response.json()


def test_a_member_acts_in_their_agency_with_their_role(client):
    client.force_login(make_staff_user(role="staff"))
    assert _whoami(client) == {"agency": "test-agency", "role": "staff"}


def test_without_a_remembered_agency_the_first_by_name_is_current(client):
    user = make_staff_user(agency=make_agency(name="Zetland", slug="zetland"))
    Membership.objects.create(user=user, agency=make_agency(name="Avalon", slug="avalon"))
    client.force_login(user)
    assert _whoami(client)["agency"] == "avalon"


def test_the_agency_remembered_in_the_session_is_current(client):
    user = make_staff_user(agency=make_agency(name="Avalon", slug="avalon"))
    zetland = make_agency(name="Zetland", slug="zetland")
    Membership.objects.create(user=user, agency=zetland, role="read_only")
    client.force_login(user)
    session = client.session
    session["agency_id"] = str(zetland.id)
    session.save()
    assert _whoami(client) == {"agency": "zetland", "role": "read_only"}


def test_a_remembered_agency_the_user_left_is_ignored(client):
    user = make_staff_user()
    elsewhere = make_agency(slug="elsewhere")
    client.force_login(user)
    session = client.session
    session["agency_id"] = str(elsewhere.id)
    session.save()
    assert _whoami(client)["agency"] == "test-agency"


def test_a_user_without_membership_is_refused(client):
    user = get_user_model().objects.create_user(username="loner", password="x", is_staff=True)
    client.force_login(user)
    assert client.get("/probe/whoami").status_code == 403


def test_a_superuser_without_membership_acts_as_owner_of_the_first_agency(client):
    first = Agency.objects.order_by("created_at").first() or make_agency()
    make_agency(slug="later")
    admin = get_user_model().objects.create_superuser(username="root", password="x")
    client.force_login(admin)
    assert _whoami(client) == {"agency": first.slug, "role": "owner"}
    assert not Membership.objects.filter(user=admin).exists()


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("manager", 200), ("staff", 403), ("read_only", 403)]
)
def test_role_required_refuses_lower_roles(client, role, status):
    client.force_login(make_staff_user(role=role))
    assert client.get("/probe/managers-only").status_code == status


def test_another_agencys_object_is_not_found(client):
    client.force_login(make_staff_user())
    mine = Membership.objects.get(user__username="staff")
    theirs = make_staff_user(username="theirs", agency=make_agency()).memberships.get()
    assert client.get(f"/probe/memberships/{mine.id}").content == b"staff"
    assert client.get(f"/probe/memberships/{theirs.id}").status_code == 404


def test_signed_out_visitors_are_sent_to_log_in_not_told_about_agencies(client):
    default_agency()
    assert client.get("/login/").status_code == 200
    response = client.get("/probe/whoami")
    assert response.status_code == 302 and response.url.startswith("/login/")
