import pytest

from tests.factories import make_agent, make_staff_user


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")


@pytest.fixture
def manager(client):
    client.force_login(make_staff_user(username="olivia", role="manager"))
    return client
