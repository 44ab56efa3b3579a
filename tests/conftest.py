from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.factories import make_staff_user

pytest_plugins = ["tests.fakeprovider.fixtures"]

STAFF_PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The upgrade migration creates one agency on the empty test database; make it the
    tests' default agency, so code that still asks for the install's first agency and tests
    that act in `default_agency()` mean the same agency."""
    from agencies.models import Agency

    with django_db_blocker.unblock():
        Agency.objects.filter(slug="my-agency").update(slug="test-agency", name="Test Agency")


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

    from functions.egress import close_kept_connections
    from listings import stock
    from voqo import last_seen

    cache.clear()
    # A test's receiver may take the port an earlier test's receiver had, whose server
    # thread still answers on a connection kept from that test.
    close_kept_connections()
    last_seen._next_write_at.clear()  # webhook sightings are written once a minute per process
    # A listing snapshot is kept while the stock's version (newest change, count) holds; a
    # rolled-back test that travelled to the same instant can repeat another's version with
    # other rows (search_listings then found ids that no longer exist: a rare failure).
    stock._snapshots.clear()
    yield
    cache.clear()


# Wednesday 11 March 2026, 1 pm in Sydney: within calling hours in every Australian zone.
WITHIN_CALLING_HOURS = datetime(2026, 3, 11, 13, 0, tzinfo=ZoneInfo("Australia/Sydney"))
# The same Wednesday at 9 pm in Sydney (6 pm in Perth): outside the window for a mobile.
AFTER_CALLING_HOURS = datetime(2026, 3, 11, 21, 0, tzinfo=ZoneInfo("Australia/Sydney"))


@pytest.fixture
def within_calling_hours():
    """Single calls check the recipient's calling window: run the test at a time it is open."""
    with time_machine.travel(WITHIN_CALLING_HOURS, tick=True):
        yield WITHIN_CALLING_HOURS


WASHED_TEST_NUMBERS = ("+61412345678", "+61412999888", *(f"+614{n:08d}" for n in range(1, 6)))


@pytest.fixture
def numbers_washed(db):
    """The single-call tests' numbers, washed now and not on the Do Not Call Register for
    every agency (those made later in the test too), so a telemarketing call to them passes
    the register rules."""
    from django.db.models.signals import post_save

    from agencies.models import Agency
    from compliance.models import WashResult

    def wash(agency):
        for phone in WASHED_TEST_NUMBERS:
            WashResult.objects.update_or_create(
                agency=agency,
                phone=phone,
                defaults={"registered": False, "dncr_checked_at": timezone.now()},
            )

    def wash_new_agency(sender, instance, created, raw=False, **kwargs):
        if created and not raw:
            wash(instance)

    for agency in Agency.objects.all():
        wash(agency)
    post_save.connect(wash_new_agency, sender=Agency, dispatch_uid="tests-numbers-washed")
    yield
    post_save.disconnect(sender=Agency, dispatch_uid="tests-numbers-washed")


@pytest.fixture
def after_calling_hours():
    with time_machine.travel(AFTER_CALLING_HOURS, tick=True):
        yield AFTER_CALLING_HOURS


@pytest.fixture
def migrator(transactional_db):
    """Migrate to given targets (returns that state's apps); the full schema comes back after."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    # Data migrations leave rows (the default agency and what refers to it) in a fresh test
    # database; an earlier transactional test flushes them. Start from the same empty state.
    call_command("flush", interactive=False, verbosity=0)

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield migrate
    call_command("migrate", verbosity=0)
