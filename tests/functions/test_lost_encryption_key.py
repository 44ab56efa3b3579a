"""A removed or wrong encryption key: pages keep working and say which secrets to re-enter."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from functions.models import CustomFunction, FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import PROPERTY_SCHEMA, invoke, make_function

pytestmark = pytest.mark.django_db

API_KEY = "key-lost-with-the-old-key"


@pytest.fixture
def function(target):
    return make_function(
        make_agent(name="Lisa"),
        endpoint=target.url("/properties"),
        auth_type=CustomFunction.AuthType.API_KEY,
        auth_config={"header_name": "X-Api-Key", "api_key": API_KEY},
    )


@pytest.fixture
def key_removed(settings, function):
    """Every secret of `function` was encrypted with a key that is no longer configured."""
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


def _replace_column_with_foreign_token(function, column):
    foreign = Fernet(Fernet.generate_key()).encrypt(b'{"api_key": "x"}').decode()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE custom_functions SET {column} = %s WHERE id = %s",
            [foreign, function.id.hex if connection.vendor == "sqlite" else function.id],
        )


def test_the_function_pages_name_the_secrets_to_re_enter(staff_client, function, key_removed):
    agent_id = function.agent_id
    listing = staff_client.get(reverse("functions:list", args=[agent_id]))
    edit = staff_client.get(reverse("functions:edit", args=[function.id]))
    test = staff_client.get(reverse("functions:test", args=[function.id]))

    assert [listing.status_code, edit.status_code, test.status_code] == [200, 200, 200]
    assert "Re-enter its secrets" in listing.content.decode()
    for page in (edit, test):
        html = page.content.decode()
        assert "check_property needs its secrets re-entered." in html
        assert "auth secret and invocation token" in html


def test_the_admin_lists_and_opens_the_function(admin_client, function, key_removed):
    changelist = admin_client.get(reverse("admin:functions_customfunction_changelist"))
    change = admin_client.get(reverse("admin:functions_customfunction_change", args=[function.id]))

    assert changelist.status_code == 200 and change.status_code == 200
    assert "Undecryptable: re-enter the auth secret and invocation token" in (
        changelist.content.decode()
    )


def test_a_tool_call_gets_an_answer_the_agent_reads_not_a_500(client, target, key_removed):
    function = CustomFunction.objects.get()

    response = invoke(client, function, {"address": "1 Beach Rd"}, token="whatever-it-sent")

    assert response.status_code == 200
    assert response.json()["error"] == "This tool isn't set up correctly right now."
    assert target.requests == []


def test_an_unreadable_auth_secret_is_reported_to_the_agent_and_logged(
    client, target, function, allow_localhost
):
    _replace_column_with_foreign_token(function, "auth_config")

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    assert response.json()["error"] == "This tool isn't set up correctly right now."
    assert target.requests == []
    logged = FunctionInvocation.objects.get()
    assert logged.status == "error"
    assert "auth secret could not be decrypted" in logged.error
    assert "re-enter them on the function page" in logged.error


def test_a_test_run_explains_the_unreadable_secret(staff_client, function, target):
    _replace_column_with_foreign_token(function, "auth_config")

    response = staff_client.post(
        reverse("functions:test", args=[function.id]), {"address": "1 Beach Rd"}
    )

    assert response.status_code == 200
    assert "auth secret could not be decrypted" in response.content.decode()
    assert FunctionInvocation.objects.get().source == "test"


def test_re_entering_the_secret_fixes_the_function_and_its_tool(
    staff_client, settings, live_provider_settings, target
):
    server = live_provider_settings
    function = make_function(
        make_agent(),
        endpoint=target.url("/properties"),
        auth_type=CustomFunction.AuthType.API_KEY,
        auth_config={"header_name": "X-Api-Key", "api_key": API_KEY},
        elevenlabs_tool_id="",
    )
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    response = staff_client.post(
        reverse("functions:edit", args=[function.id]),
        {
            "name": "check_property",
            "description": "Check a listing.",
            "method": "POST",
            "endpoint": target.url("/properties"),
            "auth_type": "api_key",
            "api_key_header": "X-Api-Key",
            "api_key": "key-entered-again",
            "parameters": '{"type": "object", "properties": {}}',
            "response_mapping": "",
            "timeout": "10",
            "enabled": "on",
        },
    )

    assert response.status_code == 302
    function.refresh_from_db()
    assert function.unreadable_secrets == []
    assert function.auth_config["api_key"] == "key-entered-again"
    [created] = server.requests_to("POST", "/v1/convai/tools")
    headers = created.json["tool_config"]["api_schema"]["request_headers"]
    assert headers["X-Voqo-Function-Token"] == function.invocation_token


def test_a_blank_secret_cannot_be_kept_when_it_is_unreadable(staff_client, function, key_removed):
    response = staff_client.post(
        reverse("functions:edit", args=[function.id]),
        {
            "name": "check_property",
            "description": "Check a listing.",
            "method": "POST",
            "endpoint": "https://api.example.com/properties",
            "auth_type": "api_key",
            "api_key_header": "X-Api-Key",
            "api_key": "",
            "parameters": '{"type": "object", "properties": {}}',
            "timeout": "10",
        },
    )

    assert "Enter the API key." in response.context["form"].errors["api_key"]


def test_the_database_check_names_each_function_to_fix(function, key_removed):
    out, err = io.StringIO(), io.StringIO()

    call_command("check", "--database", "default", stdout=out, stderr=err)

    output = out.getvalue() + err.getvalue()
    assert "voqo.W103" in output
    assert "Custom function “check_property” of agent “Lisa”" in output
    assert "auth secret and invocation token cannot be decrypted" in output
    assert f"/functions/{function.id}/edit/" in output


def test_the_database_check_is_quiet_when_every_secret_is_readable(function):
    out, err = io.StringIO(), io.StringIO()

    call_command("check", "--database", "default", stdout=out, stderr=err)

    assert "voqo.W103" not in out.getvalue() + err.getvalue()


def test_rotating_secrets_reports_the_unreadable_ones_and_leaves_them_as_stored(
    function, key_removed
):
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_config FROM custom_functions")
        [(before,)] = cursor.fetchall()

    with pytest.raises(CommandError, match="check_property"):
        call_command("rotate_secrets", stdout=io.StringIO())

    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_config FROM custom_functions")
        assert cursor.fetchall() == [(before,)]


def test_schema_helper_is_still_valid():
    # The helpers' schema stays inside the subset ElevenLabs accepts (used across tests).
    from functions.schema import subset_problems

    assert subset_problems(PROPERTY_SCHEMA) == []
