"""Friendly error pages, styled like the rest of Voqo, that still help a developer."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_is_a_voqo_page(html: str) -> None:
    assert "/static/css/voqo.css" in html
    assert "/static/favicon.svg" in html
    assert 'href="/"' in html  # a way back to the dashboard


def test_an_unknown_address_shows_a_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "<code>/no-such-page/</code>" in html
    assert_is_a_voqo_page(html)
    assert "For developers" not in html


def test_with_debug_on_the_404_is_still_friendly_and_says_what_a_developer_needs(client, settings):
    settings.DEBUG = True

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "No URL pattern matches this path." in html
    assert 'href="/no-such-page/?technical404=1"' in html
    assert "Using the URLconf" not in html


def test_with_debug_on_a_missing_object_names_the_view_and_its_message(staff_client, settings):
    settings.DEBUG = True

    response = staff_client.get(f"/agents/{uuid.uuid4()}/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "agents:detail" in html
    assert "No Agent matches the given query." in html


def test_with_debug_on_django_technical_404_is_one_link_away(client, settings):
    settings.DEBUG = True

    response = client.get("/no-such-page/?technical404=1")

    assert response.status_code == 404
    assert "Using the URLconf" in response.content.decode()


def test_with_debug_on_a_missing_slash_still_redirects(staff_client, settings):
    settings.DEBUG = True

    response = staff_client.get("/calls")

    assert response.status_code == 301
    assert response["Location"] == "/calls/"


def test_a_signed_in_user_who_is_not_staff_sees_why_they_cannot_open_the_page(client):
    user = get_user_model().objects.create_user(username="visitor", password="pw-123456789")
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You can't open this page" in html
    assert "Voqo is for agency staff." in html
    assert_is_a_voqo_page(html)


def test_a_form_without_its_csrf_token_shows_a_friendly_403():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "staff", "password": "x"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "Nothing was changed." in html
    assert_is_a_voqo_page(html)


def test_a_request_for_an_unknown_host_shows_a_friendly_400(client, settings):
    settings.ALLOWED_HOSTS = ["voqo.example.com"]

    response = client.get("/login/", HTTP_HOST="attacker.example.net")

    assert response.status_code == 400
    html = response.content.decode()
    assert "couldn't understand that request" in html
    assert_is_a_voqo_page(html)


@pytest.mark.urls("tests.voqo.urls_with_a_broken_page")
def test_an_unexpected_error_shows_a_friendly_500():
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "a bug" not in html
    assert_is_a_voqo_page(html)
