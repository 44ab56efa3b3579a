"""Every /api/v1/ endpoint and method × no key, a revoked key, a read-only key and another
agency's key: 401, 401, 403 on writes, and 404 for ids of the key's agency's neighbour."""

import pytest
from django.urls import get_resolver, reverse

from agencies.models import Agency
from api.keys import create_api_key, revoke_api_key
from tests.api.conftest import key_client
from tests.browser.test_every_page import demo_objects

SAFE = {"get", "head", "options"}


def api_routes(patterns=None, namespace=""):
    """(name, url parameters, HTTP methods) of every named /api/v1/ resource route."""
    from django.urls import URLPattern, URLResolver

    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from api_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace == "api:":
            actions = getattr(entry.callback, "actions", None)
            if actions:  # a resource (not the document or its docs page)
                methods = sorted(method for method in actions if method != "head")
                yield entry.name, list(entry.pattern.converters), methods


def _url(name, params, objects):
    return reverse(f"api:{name}", kwargs={param: objects[param] for param in params})


@pytest.fixture
def world(staff_user):
    objects = demo_objects()
    agency = Agency.objects.order_by("created_at").first()
    good = create_api_key(agency=agency, name="CRM")
    read_only = create_api_key(agency=agency, name="Reports", read_only=True)
    revoked = create_api_key(agency=agency, name="Old")
    revoke_api_key(api_key=revoked.api_key)
    neighbour = Agency.objects.create(name="Other Realty", slug="other-realty-matrix")
    other = create_api_key(agency=neighbour, name="Theirs")
    return {
        "objects": objects,
        "good": key_client(good.secret),
        "read_only": key_client(read_only.secret),
        "revoked": key_client(revoked.secret),
        "other": key_client(other.secret),
        "anonymous": key_client(None),
    }


def _call(client, method, url):
    return getattr(client, method)(url, data={}, content_type="application/json")


@pytest.mark.django_db
def test_every_endpoint_without_a_key_or_with_a_revoked_one_is_401(world):
    checked = 0
    for name, params, methods in api_routes():
        url = _url(name, params, world["objects"])
        for method in methods:
            for who in ("anonymous", "revoked"):
                response = _call(world[who], method, url)
                checked += 1
                assert response.status_code == 401, f"{who} {method} {url}"
                error = response.json()["error"]
                assert error["code"] == "unauthenticated" and error["message"]
                assert response["WWW-Authenticate"].startswith("Bearer")
    assert checked > 60


@pytest.mark.django_db
def test_a_read_only_key_reads_everything_and_writes_nothing(world):
    reads = writes = 0
    for name, params, methods in api_routes():
        url = _url(name, params, world["objects"])
        for method in methods:
            response = _call(world["read_only"], method, url)
            if method in SAFE:
                reads += 1
                assert response.status_code == 200, f"{method} {url}: {response.content[:200]}"
            else:
                writes += 1
                assert response.status_code == 403, f"{method} {url}"
                assert "read-only" in response.json()["error"]["message"]
    assert reads > 15 and writes > 15


@pytest.mark.django_db
def test_another_agencys_key_never_sees_these_rows(world):
    checked = 0
    for name, params, methods in api_routes():
        url = _url(name, params, world["objects"])
        for method in methods:
            response = _call(world["other"], method, url)
            checked += 1
            if params:
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"
                assert response.json()["error"]["code"] == "not_found"
            elif method == "get" and response["Content-Type"].startswith("text/csv"):
                assert response.status_code == 200
                rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
                assert len(rows) == 1, f"{url}: only the header row, no calls"
            elif method == "get":
                assert response.status_code == 200
                ids = [str(v) for v in world["objects"].values() if len(str(v)) == 36]
                leaked = [row_id for row_id in ids if row_id in response.text]
                assert not leaked, url
                if name != "disposition-list":  # every agency starts with its own outcomes
                    assert response.json()["data"] == [], url
    assert checked > 30


@pytest.mark.django_db
def test_the_agencys_own_key_reads_every_list_and_item(world):
    for name, params, methods in api_routes():
        if "get" not in methods:
            continue
        url = _url(name, params, world["objects"])
        response = world["good"].get(url)
        assert response.status_code == 200, f"{url}: {response.content[:300]}"
