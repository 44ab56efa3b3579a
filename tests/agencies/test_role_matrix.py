"""Every state-changing view of the agencies and voqo pages checks the member's role on the
server: below the view's role → 403 and nothing changes."""

import pytest
from django.urls import reverse

from agencies.models import Invitation, Membership
from tests.factories import default_agency, make_staff_user

pytestmark = pytest.mark.django_db

ROLES = ["owner", "manager", "staff", "read_only"]
RANK = {role: len(ROLES) - i for i, role in enumerate(ROLES)}

SETTINGS_FORM = {
    "agency_name": "Renamed",
    "time_zone": "Australia/Perth",
    "default_state": "",
    "sms_template": "Hi {caller_name}. {call_summary} - {agent_name}",
}


def _target_membership():
    return make_staff_user(username="target", role="staff").memberships.get()


def _invitation():
    return Invitation.objects.create(agency=default_agency(), email="x@example.com")


# (name, minimum role, method, url factory, data)
VIEWS = [
    ("settings", "manager", "post", lambda: reverse("settings"), SETTINGS_FORM),
    ("people", "owner", "get", lambda: reverse("agencies:people"), None),
    ("invite", "owner", "post", lambda: reverse("agencies:invite"), {"email": "a@b.com"}),
    (
        "change_role",
        "owner",
        "post",
        lambda: reverse("agencies:change_role", args=[_target_membership().id]),
        {"role": "manager"},
    ),
    (
        "remove_member",
        "owner",
        "post",
        lambda: reverse("agencies:remove_member", args=[_target_membership().id]),
        {},
    ),
    (
        "withdraw_invitation",
        "owner",
        "post",
        lambda: reverse("agencies:withdraw_invitation", args=[_invitation().id]),
        {},
    ),
    ("check_connections", "owner", "post", lambda: reverse("onboarding:check"), {}),
    ("provider_accounts", "owner", "get", lambda: reverse("agencies:provider_accounts"), None),
    (
        "save_provider_accounts",
        "owner",
        "post",
        lambda: reverse("agencies:provider_accounts"),
        {"elevenlabs_phone_number_id": "phnum_x"},
    ),
    (
        "test_provider_account",
        "owner",
        "post",
        lambda: reverse("agencies:test_provider_account"),
        {"service": "nothing"},
    ),
    (
        "send_test_webhook",
        "owner",
        "post",
        lambda: reverse("onboarding:send_test"),
        {"kind": "nothing"},
    ),
    ("stay_in_sandbox", "manager", "post", lambda: reverse("onboarding:stay_in_sandbox"), {}),
    ("dismiss_checklist", "manager", "post", lambda: reverse("onboarding:dismiss_checklist"), {}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "minimum", "method", "url", "data"), VIEWS, ids=[v[0] for v in VIEWS]
)
def test_each_view_needs_its_role(client, role, name, minimum, method, url, data):
    client.force_login(make_staff_user(username="member", role=role))
    response = getattr(client, method)(url(), data or {})
    if RANK[role] >= RANK[minimum]:
        assert response.status_code != 403, f"{role} refused {name}"
    else:
        assert response.status_code == 403, f"{role} allowed {name}"


@pytest.mark.parametrize("role", ROLES)
def test_every_member_sees_the_settings_but_only_managers_change_them(client, role):
    client.force_login(make_staff_user(username="member", role=role))
    page = client.get(reverse("settings")).content.decode()
    can_change = RANK[role] >= RANK["manager"]
    assert ("Save settings" in page) is can_change
    assert ("managers and owners change them" in page) is not can_change

    client.post(reverse("settings"), SETTINGS_FORM)
    default_agency().refresh_from_db()
    assert (default_agency().name == "Renamed") is can_change


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_see_the_provider_accounts_link(client, role):
    client.force_login(make_staff_user(username="member", role=role))
    page = client.get(reverse("dashboard")).content.decode()
    assert (reverse("agencies:provider_accounts") in page) is (role == "owner")


def test_only_owners_see_the_people_link(client):
    client.force_login(make_staff_user(username="boss"))
    assert reverse("agencies:people") in client.get(reverse("dashboard")).content.decode()
    client.force_login(make_staff_user(username="manager", role="manager"))
    assert reverse("agencies:people") not in client.get(reverse("dashboard")).content.decode()


def test_read_only_members_may_preview_an_sms_and_switch_but_post_nothing_else(client):
    client.force_login(make_staff_user(username="reader", role="read_only"))
    preview = client.post(reverse("settings_sms_preview"), {"sms_template": "Hi {caller_name}"})
    assert preview.status_code == 200
    assert client.post(reverse("contacts:add"), {"phone": "0412 345 678"}).status_code == 403
    assert client.post(reverse("agents:create"), {}).status_code == 403
    switch = client.post(reverse("agencies:switch"), {"agency": default_agency().id})
    assert switch.status_code == 302
    assert Membership.objects.get(user__username="reader").role == "read_only"


def test_the_pages_hide_what_a_role_cannot_do(client):
    client.force_login(make_staff_user(username="manager", role="manager"))
    connections = client.get(reverse("onboarding:connections")).content.decode()
    assert reverse("onboarding:check") not in connections
    assert reverse("onboarding:send_test") not in connections
    assert "Owners check the provider connections." in connections

    client.force_login(make_staff_user(username="staff", role="staff"))
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("onboarding:stay_in_sandbox") not in dashboard

    client.force_login(make_staff_user(username="owner"))
    assert (
        reverse("onboarding:check")
        in client.get(reverse("onboarding:connections")).content.decode()
    )
    assert (
        reverse("onboarding:stay_in_sandbox") in client.get(reverse("dashboard")).content.decode()
    )
