"""Every URL that takes an object id answers 404 to a member of another agency — GET and POST —
and changes nothing: another agency's rows are invisible, never named."""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from agencies.models import Agency, Membership
from tests.browser.test_every_page import demo_objects, walk
from tests.factories import make_staff_user

# Ids that are not rows of an agency: a token the session holds, a signed invitation link,
# one of the sandbox's install-wide sample voices.
NOT_AGENCY_ROWS = {"token", "invitation_token", "uidb64", "voice_id"}
# Token-authenticated provider endpoints (checked by their own tests).
PROVIDER_ROUTES = {
    "functions:invoke",
    "agency_elevenlabs_post_call",
    "agency_elevenlabs_initiation",
}


@pytest.mark.django_db
def test_a_member_of_agency_b_gets_404_for_every_id_of_agency_a(staff_user):
    objects = demo_objects()  # rows of the install's first agency (A)
    agency_a = Agency.objects.order_by("created_at").first()
    agency_b = Agency.objects.create(name="Other Realty", slug="other-realty")
    member_of_b = make_staff_user(username="b-owner", agency=agency_b, role="owner")
    Membership.objects.filter(user=member_of_b).exclude(agency=agency_b).delete()
    client = Client()
    client.force_login(member_of_b)

    checked, leaks = 0, []
    for name, params in walk(get_resolver().url_patterns):
        params = list(params)
        if not params or name.startswith(("admin:", "api:")) or name in PROVIDER_ROUTES:
            continue
        if set(params) & NOT_AGENCY_ROWS or any(p not in objects for p in params):
            continue
        url = reverse(name, kwargs={param: objects[param] for param in params})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            checked += 1
            if response.status_code not in (404, 405):
                leaks.append(f"{method.upper()} {url} ({name}): {response.status_code}")

    assert checked > 40
    assert not leaks, "\n".join(leaks)
    assert agency_a != agency_b


@pytest.mark.django_db
def test_agency_bs_api_key_gets_404_for_every_api_id_of_agency_a(staff_user, settings):
    """The API's twin of the test above: a key of agency B, for every /api/v1/ route that
    takes an id, GET, POST, PATCH and DELETE with agency A's ids."""
    from api.keys import create_api_key

    settings.API_RATE_LIMIT_PER_MINUTE = 10_000  # one key walks every route, four methods each

    objects = demo_objects()
    agency_b = Agency.objects.create(name="Other Realty", slug="other-realty")
    secret = create_api_key(agency=agency_b, name="B's CRM").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    checked, leaks = 0, []
    for name, params in walk(get_resolver().url_patterns):
        params = list(params)
        if not name.startswith("api:") or not params:
            continue
        missing = [param for param in params if param not in objects]
        assert not missing, f"{name}: add a demo object for {missing}"
        url = reverse(name, kwargs={param: objects[param] for param in params})
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(url, content_type="application/json")
            checked += 1
            if response.status_code not in (404, 405):
                leaks.append(f"{method.upper()} {url} ({name}): {response.status_code}")
            elif response.status_code == 404:
                assert response.json()["error"]["code"] == "not_found"

    assert checked > 40
    assert not leaks, "\n".join(leaks)
