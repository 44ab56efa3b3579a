"""`manage.py create_agency --slug <slug> --name <name>`: the operators' way to add an agency."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("create_agency", *args, stdout=out)
    return out.getvalue()


def test_create_agency_creates_and_prints_the_agency():
    output = _run("--slug", "bondi-office", "--name", "Bondi Office")
    agency = Agency.objects.get(slug="bondi-office")
    assert agency.name == "Bondi Office"
    assert agency.active
    assert agency.time_zone == "Australia/Sydney"
    assert "Bondi Office" in output and "bondi-office" in output and str(agency.id) in output


def test_create_agency_takes_a_time_zone():
    _run("--slug", "perth", "--name", "Perth Office", "--time-zone", "Australia/Perth")
    assert Agency.objects.get(slug="perth").time_zone == "Australia/Perth"


def test_a_taken_slug_is_refused_with_a_clear_error():
    _run("--slug", "bondi", "--name", "Bondi")
    with pytest.raises(CommandError, match="already exists"):
        _run("--slug", "bondi", "--name", "Bondi again")
    assert Agency.objects.filter(slug="bondi").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "no spaces", "--name", "X"], "slug"),
        (["--slug", "ok", "--name", "  "], "needs a name"),
        (["--slug", "ok", "--name", "X", "--time-zone", "Mars/Olympus"], "Unknown time zone"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not Agency.objects.filter(slug="ok").exists()


def test_slug_and_name_are_required():
    with pytest.raises(CommandError, match="--slug"):
        _run("--name", "Bondi")
