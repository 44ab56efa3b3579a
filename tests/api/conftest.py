import pytest
from django.test import Client

from api.keys import create_api_key, revoke_api_key
from tests.factories import default_agency, make_agency


def key_client(secret: str | None) -> Client:
    """A client that sends `secret` as its bearer key (None: no Authorization header)."""
    if secret is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def agency(db):
    return default_agency()


@pytest.fixture
def api(agency):
    """A read-and-write key of the default agency."""
    return key_client(create_api_key(agency=agency, name="CRM sync").secret)


@pytest.fixture
def read_only_api(agency):
    return key_client(create_api_key(agency=agency, name="Reports", read_only=True).secret)


@pytest.fixture
def revoked_api(agency):
    new_key = create_api_key(agency=agency, name="Old CRM")
    revoke_api_key(api_key=new_key.api_key)
    return key_client(new_key.secret)


@pytest.fixture
def other_agency_api(db):
    return key_client(create_api_key(agency=make_agency(), name="Theirs").secret)
