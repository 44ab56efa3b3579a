"""Owners invite people by e-mail (a signed one-time link that expires), change roles and
remove members; an agency always keeps an owner."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from agencies.models import Invitation, Membership
from tests.factories import default_agency, make_agency, make_staff_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"


@pytest.fixture
def owner_client(client):
    client.force_login(make_staff_user(username="olivia"))
    return client


def _invite(client, email="sam@example.com", role="staff"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("agencies:invite"), {"email": email, "role": role})


def _link() -> str:
    found = re.search(r"http://testserver(/invitations/[^\s]+/)", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(1)


def _join(client, link, username="sam"):
    return client.post(
        link, {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def test_an_owner_sees_the_people_of_the_agency(owner_client):
    make_staff_user(username="marco", role="manager")
    make_staff_user(username="elsewhere", agency=make_agency())
    html = owner_client.get(reverse("agencies:people")).content.decode()
    assert "olivia" in html and "marco" in html
    assert "elsewhere" not in html


def test_an_invitation_emails_a_link_that_creates_the_login_and_membership(owner_client, client):
    response = _invite(owner_client, email="Sam@Example.com", role="manager")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.com"]
    assert "Test Agency" in mail.outbox[0].subject
    link = _link()
    owner_client.logout()

    page = client.get(link)
    assert page.status_code == 200 and "Join Test Agency" in page.content.decode()
    response = _join(client, link)

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    sam = get_user_model().objects.get(username="sam")
    assert sam.email == "sam@example.com"
    assert Membership.objects.get(user=sam).role == "manager"
    assert client.get(reverse("dashboard")).status_code == 200  # signed in as sam


def test_an_invitation_link_works_once(owner_client, client):
    _invite(owner_client)
    link = _link()
    owner_client.logout()
    _join(client, link)
    client.logout()

    response = client.get(link)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert _join(client, link, username="sam2").status_code == 410
    assert not get_user_model().objects.filter(username="sam2").exists()


def test_an_invitation_expires_after_seven_days(owner_client, client):
    _invite(owner_client)
    link = _link()
    owner_client.logout()
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _join(client, link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="sam").exists()


def test_a_forged_or_withdrawn_link_is_refused(owner_client, client):
    _invite(owner_client)
    link = _link()
    forged = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert client.get(forged).status_code == 410

    invitation = Invitation.objects.get()
    owner_client.post(reverse("agencies:withdraw_invitation", args=[invitation.id]))
    assert not Invitation.objects.exists()
    response = client.get(link)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_someone_already_signed_in_joins_with_their_login(owner_client, client):
    _invite(owner_client, email="kim@example.com", role="read_only")
    link = _link()
    kim = make_staff_user(username="kim", agency=make_agency(name="Other"))
    client.force_login(kim)

    response = client.post(link)

    assert response.status_code == 302
    assert Membership.objects.get(user=kim, agency=default_agency()).role == "read_only"
    assert client.session["agency_id"] == str(default_agency().id)


def test_inviting_a_member_or_a_bad_address_is_refused_with_a_reason(owner_client):
    get_user_model().objects.filter(username="olivia").update(email="olivia@example.com")
    response = _invite(owner_client, email="olivia@example.com")
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    response = _invite(owner_client, email="not-an-address")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    response = _invite(owner_client, role="admin")
    assert response.status_code == 400
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_new_login_needs_a_valid_password(owner_client, client):
    _invite(owner_client)
    link = _link()
    owner_client.logout()
    response = client.post(link, {"username": "sam", "password1": "x", "password2": "y"})
    assert response.status_code == 400
    assert "didn’t match" in response.content.decode() or "match" in response.content.decode()
    assert not get_user_model().objects.filter(username="sam").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_owner_changes_a_role(owner_client):
    marco = make_staff_user(username="marco", role="staff").memberships.get()
    response = owner_client.post(
        reverse("agencies:change_role", args=[marco.id]), {"role": "manager"}, follow=True
    )
    assert "marco is now manager." in response.content.decode()
    marco.refresh_from_db()
    assert marco.role == "manager"


def test_the_last_owner_cannot_be_demoted_or_removed(owner_client):
    olivia = Membership.objects.get(user__username="olivia")
    response = owner_client.post(
        reverse("agencies:change_role", args=[olivia.id]), {"role": "staff"}, follow=True
    )
    assert "the only owner" in response.content.decode()
    response = owner_client.post(reverse("agencies:remove_member", args=[olivia.id]), follow=True)
    assert "the only owner" in response.content.decode()
    olivia.refresh_from_db()
    assert olivia.role == "owner"

    make_staff_user(username="second-owner")
    owner_client.post(reverse("agencies:change_role", args=[olivia.id]), {"role": "staff"})
    olivia.refresh_from_db()
    assert olivia.role == "staff"


def test_removing_a_member_asks_first_then_keeps_their_login(owner_client):
    marco = make_staff_user(username="marco", role="staff").memberships.get()
    page = owner_client.get(reverse("agencies:remove_member", args=[marco.id]))
    assert "Remove marco from Test Agency?" in page.content.decode()
    assert Membership.objects.filter(pk=marco.pk).exists()

    owner_client.post(reverse("agencies:remove_member", args=[marco.id]))

    assert not Membership.objects.filter(pk=marco.pk).exists()
    assert get_user_model().objects.filter(username="marco").exists()


def test_another_agencys_member_is_not_found(owner_client):
    theirs = make_staff_user(username="theirs", agency=make_agency()).memberships.get()
    url_role = reverse("agencies:change_role", args=[theirs.id])
    assert owner_client.post(url_role, {"role": "read_only"}).status_code == 404
    assert owner_client.get(reverse("agencies:remove_member", args=[theirs.id])).status_code == 404
    assert owner_client.post(reverse("agencies:remove_member", args=[theirs.id])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == "owner"


def test_a_removed_member_is_refused_everywhere(client):
    user = make_staff_user(username="gone", role="staff")
    client.force_login(user)
    Membership.objects.filter(user=user).delete()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "not a member of any agency" in response.content.decode()


def test_forgotten_password_is_reset_by_email(client):
    user = make_staff_user(username="olivia")
    user.email = "olivia@example.com"
    user.save()
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()

    client.post(reverse("password_reset"), {"email": "olivia@example.com"})

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.login(username="olivia", password=NEW_PASSWORD)


def test_a_signed_in_login_without_staff_rights_becomes_staff_by_joining(owner_client, client):
    _invite(owner_client, email="pat@example.com")
    link = _link()
    pat = get_user_model().objects.create_user(username="pat", password="x")
    client.force_login(pat)
    assert client.get(reverse("dashboard")).status_code == 403

    client.post(link)

    assert client.get(reverse("dashboard")).status_code == 200
