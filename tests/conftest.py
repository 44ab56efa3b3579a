import pytest

from tests.factories import make_staff_user

pytest_plugins = ["tests.fakeprovider.fixtures"]

STAFF_PASSWORD = "correct-horse-battery"


@pytest.fixture
def staff_user(db):
    return make_staff_user(password=STAFF_PASSWORD)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def _fresh_settings_cache():
    """Setting values are cached between requests; each test starts from the database."""
    from django.core.cache import cache

    from voqo import last_seen

    cache.clear()
    last_seen._next_write_at.clear()  # webhook sightings are written once a minute per process
    yield
    cache.clear()
