"""`manage.py sync_agents` (cron): one line per agent, non-zero exit when any sync fails."""

import io

import pytest
from django.core.management import CommandError, call_command

from agents.models import Agent
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def test_sync_agents_syncs_every_agent_and_prints_a_line_each(live_provider_settings):
    fake = live_provider_settings
    make_agent(name="Anna")
    make_agent(name="Ben")
    out = io.StringIO()

    call_command("sync_agents", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("synced  Anna (agent_") and lines[1].startswith(
        "synced  Ben (agent_"
    )
    assert lines[-1] == "2 agents synced."
    assert len(fake.agents) == 2
    assert set(Agent.objects.values_list("sync_status", flat=True)) == {"synced"}


def test_sync_agents_reports_failures_and_exits_non_zero(live_provider_settings):
    fake = live_provider_settings
    make_agent(name="Anna")
    make_agent(name="Ben")
    fake.fail_next("POST", "/v1/convai/agents/create", 401)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 of 2 agents failed to sync"):
        call_command("sync_agents", stdout=out)

    assert "FAILED  Anna: Invalid API key" in out.getvalue()
    assert "synced  Ben" in out.getvalue()


def test_sync_agents_exits_non_zero_from_the_shell(live_provider_settings, tmp_path):
    """The exit code cron sees (CommandError → exit status 1)."""
    from django.core.management import ManagementUtility

    make_agent(name="Anna")
    live_provider_settings.fail_next("POST", "/v1/convai/agents/create", 401)
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "sync_agents"]).execute()
    assert exit_info.value.code == 1
