"""Every page needs a logged-in staff user, except login, health and the provider webhooks."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import make_staff_user

# The complete list of routes reachable without a login. A new public route must be added
# here on purpose — that is the point of this test.
PUBLIC_ROUTES = {
    "login/",
    "health",
    "metrics",  # behind its own bearer token (tests/monitoring/test_metrics.py)
    "favicon.ico",  # a redirect to the static icon
    "webhooks/elevenlabs/post-call",
    "webhooks/elevenlabs/initiation",
    "webhooks/elevenlabs/<uuid:agency_id>/post-call",
    "webhooks/elevenlabs/<uuid:agency_id>/initiation",
    "webhooks/twilio/sms",
    "webhooks/twilio/sms-status",
    "functions/<uuid:function_id>/invoke",
    # Invitations and password resets: for people who cannot log in (yet).
    "invitations/<str:invitation_token>/",
    "password-reset/",
    "password-reset/sent/",
    "password-reset/<uidb64>/<token>/",
    "password-reset/done/",
}
# The public API authenticates every request by API key, not by session (tests/api/): its
# routes skip the login redirect and answer 401 without a key.
API_PREFIX = "api/v1/"


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # the admin has its own staff check, tested below
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _sample_url(route: str) -> str:
    url = route
    while "<" in url:
        start, end = url.index("<"), url.index(">")
        kind = url[start + 1 : end].split(":")[0] if ":" in url[start:end] else "str"
        sample = {"uuid": str(uuid.uuid4()), "int": "1", "slug": "x", "path": "x"}.get(kind, "x")
        url = url[:start] + sample + url[end + 1 :]
    return "/" + url.lstrip("^").rstrip("$")


def _routes():
    return list(_walk(get_resolver().url_patterns))


def _is_public(pattern: URLPattern) -> bool:
    view = pattern.callback
    return not getattr(view, "login_required", True)


def test_only_the_expected_routes_are_public():
    public = {
        route
        for route, pattern in _routes()
        if _is_public(pattern) and not route.startswith(API_PREFIX)
    }
    assert public <= PUBLIC_ROUTES, f"unexpected public routes: {public - PUBLIC_ROUTES}"
    assert "login/" in public and "health" in public


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_private_route_redirects_anonymous_users_to_login(client, method):
    private = [route for route, pattern in _routes() if not _is_public(pattern)]
    assert not [route for route in private if route.startswith(API_PREFIX)]
    assert len(private) >= 6
    for route in private:
        url = _sample_url(route)
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url} gave {response.status_code}"
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_logged_in_users_who_are_not_staff_are_refused(client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="viewer", password="pw-x-123456")
    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get(reverse("calls:list")).status_code == 403


@pytest.mark.django_db
def test_a_signed_in_user_without_staff_rights_can_log_out():
    from django.contrib.auth import get_user_model
    from django.test import Client

    get_user_model().objects.create_user(username="viewer", password="pw-x-123456")
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="viewer", password="pw-x-123456")
    login_page = client.get(reverse("login"))  # any page that sets the CSRF cookie
    token = login_page.cookies["csrftoken"].value

    response = client.post(reverse("logout"), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302  # signed out, not refused


@pytest.mark.django_db
def test_a_user_without_staff_rights_is_still_refused_everything_but_log_out(client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="viewer", password="pw-x-123456")
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405  # logging out is a POST
    assert client.post(reverse("settings")).status_code == 403


@pytest.mark.django_db
def test_the_admin_refuses_anonymous_users(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_staff_see_every_sidebar_page(client):
    client.force_login(make_staff_user())
    for name in (
        "dashboard",
        "agents:list",
        "contacts:list",
        "calls:list",
        "campaigns:list",
        "settings",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert b'hx-headers=\'{"X-CSRFToken"' in response.content


def test_htmx_is_served_from_our_own_static_files(client, db):
    client.force_login(make_staff_user())
    html = client.get(reverse("dashboard")).content.decode()
    assert "/static/js/htmx.min.js" in html
    assert "https://" not in html.split("<body")[0], "no CDN assets in <head>"
