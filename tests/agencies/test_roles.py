"""Roles rank owner > manager > staff > read-only."""

import pytest

from agencies.models import Role


@pytest.mark.parametrize(
    ("role", "minimum", "allowed"),
    [
        ("owner", "owner", True),
        ("owner", "read_only", True),
        ("manager", "owner", False),
        ("manager", "manager", True),
        ("manager", "staff", True),
        ("staff", "manager", False),
        ("staff", "staff", True),
        ("read_only", "staff", False),
        ("read_only", "read_only", True),
        ("", "read_only", False),
    ],
)
def test_a_role_allows_what_lower_roles_allow(role, minimum, allowed):
    assert Role.at_least(role, minimum) is allowed


def test_an_unknown_minimum_role_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown role"):
        Role.at_least("owner", "admin")
