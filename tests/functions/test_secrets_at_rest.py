"""Auth secrets and invocation tokens are encrypted in the database and rotate with the keys."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from functions.models import CustomFunction, FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import make_function
from voqo.crypto import check_encryption_keys

pytestmark = pytest.mark.django_db

SECRET = "sk-live-very-secret-4242"


def _raw_columns(function):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auth_config, invocation_token FROM custom_functions WHERE id = %s",
            [function.id.hex if connection.vendor == "sqlite" else function.id],
        )
        return cursor.fetchone()


def _make_secret_function():
    return make_function(
        make_agent(),
        auth_type=CustomFunction.AuthType.API_KEY,
        auth_config={"header_name": "X-Api-Key", "api_key": SECRET},
    )


def test_secrets_are_not_readable_in_the_database_column():
    function = _make_secret_function()

    raw_config, raw_token = _raw_columns(function)

    assert SECRET not in raw_config and "X-Api-Key" not in raw_config
    assert raw_config.startswith("gAAAA")  # a Fernet token
    assert function.invocation_token and function.invocation_token not in raw_token
    reloaded = CustomFunction.objects.get(pk=function.pk)
    assert reloaded.auth_config == {"header_name": "X-Api-Key", "api_key": SECRET}
    assert reloaded.invocation_token == function.invocation_token


def test_every_function_gets_its_own_invocation_token():
    agent = make_agent()
    first = make_function(agent, name="one")
    second = make_function(agent, name="two")
    assert len(first.invocation_token) >= 40
    assert first.invocation_token != second.invocation_token


def test_rotate_secrets_re_encrypts_with_the_newest_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    function = _make_secret_function()
    token = function.invocation_token
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_secrets", stdout=open("/dev/null", "w"))

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone now
    reloaded = CustomFunction.objects.get(pk=function.pk)
    assert reloaded.auth_config["api_key"] == SECRET
    assert reloaded.invocation_token == token


def test_without_the_old_key_secrets_cannot_be_read_but_the_row_still_loads(settings):
    function = _make_secret_function()
    raw_before = _raw_columns(function)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    reloaded = CustomFunction.objects.get(pk=function.pk)

    assert reloaded.unreadable_secrets == ["auth secret", "invocation token"]
    assert SECRET not in repr(reloaded.auth_config)
    reloaded.save(update_fields=["auth_config"])  # written back as stored, not lost
    assert _raw_columns(function)[0] == raw_before[0]


def test_the_system_check_fails_without_a_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    [error] = check_encryption_keys()
    assert error.id == "voqo.E101"
    assert "Fernet.generate_key()" in error.hint


def test_the_system_check_fails_on_an_invalid_key_without_echoing_it(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "not-a-real-key"]
    [error] = check_encryption_keys()
    assert error.id == "voqo.E102"
    assert "#2" in error.msg and "not-a-real-key" not in error.msg + error.hint


def test_the_system_check_passes_with_valid_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert check_encryption_keys() == []


def test_manage_py_check_refuses_to_run_without_a_key(settings):
    from django.core.management.base import SystemCheckError

    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(SystemCheckError, match="FIELD_ENCRYPTION_KEYS is empty"):
        call_command("check")


def test_secrets_never_reach_the_logs(client, settings, target, caplog):
    import logging

    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    target.answer("/p", {"error": f"bad key {SECRET}"}, status=403)
    function = make_function(
        make_agent(),
        endpoint=target.url("/p"),
        auth_type=CustomFunction.AuthType.BASIC,
        auth_config={"username": "harbour", "password": SECRET},
    )
    from tests.functions.helpers import invoke

    with caplog.at_level(logging.DEBUG):
        invoke(client, function, {"address": "1 Beach Rd"})
        invoke(client, function, {"address": "1 Beach Rd"}, token="forged")

    assert "function" in caplog.text
    assert SECRET not in caplog.text and function.invocation_token not in caplog.text
    assert SECRET not in "".join(FunctionInvocation.objects.values_list("error", flat=True))
