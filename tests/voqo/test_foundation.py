from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.factories import default_agency
from voqo.models import SEEDED_SETTING_KEYS, Setting


@pytest.mark.django_db
def test_default_settings_exist_after_migrate():
    """On an empty database the upgrade migration's agency holds the seeded settings."""
    values = dict(Setting.objects.filter(agency=default_agency()).values_list("key", "value"))
    assert set(SEEDED_SETTING_KEYS) <= set(values)
    assert values["sms_enabled"] is True
    assert "{first_name}" in values["sms_template"]


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_seed_table_names_are_used():
    tables = set(connection.introspection.table_names())
    expected = {
        "agents",
        "contacts",
        "memories",
        "calls",
        "campaigns",
        "uploads",
        "batch_contacts",
        "jobs",
        "job_calls",
        "custom_functions",
        "settings",
    }
    assert expected <= tables


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


@pytest.mark.django_db
def test_login_with_the_right_password_reaches_the_dashboard(client, staff_user):
    from tests.conftest import STAFF_PASSWORD

    response = client.post(
        reverse("login"),
        {"username": staff_user.username, "password": STAFF_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert b"Dashboard" in response.content


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.username, "password": "no"})
    assert response.status_code == 200
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content


@pytest.mark.django_db
def test_health_answers_without_login(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
