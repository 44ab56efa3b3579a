"""The sandbox's pages belong to the current agency: its outbox shows only the agency's SMS,
and simulating a call needs the staff role."""

import pytest
from django.urls import reverse

from agents.models import Agent
from calls.models import SmsMessage
from sandbox.models import SandboxMessage
from tests.factories import default_agency, make_agency, make_agent, make_call, make_staff_user

pytestmark = pytest.mark.django_db


def _sent(agency, sid, to_phone):
    call = make_call(agency=agency, from_phone=to_phone)
    SmsMessage.objects.create(
        agency=agency,
        direction="outbound",
        call=call,
        from_phone="+6128",
        to_phone=to_phone,
        sid=sid,
        status="sent",
    )
    SandboxMessage.objects.create(sid=sid, to_phone=to_phone, from_phone="+6128", body="Hi")


def test_the_outbox_shows_only_the_current_agencys_messages(staff_client):
    _sent(default_agency(), "SMsbxmine", "+61411111111")
    _sent(make_agency(), "SMsbxtheirs", "+61422222222")

    page = staff_client.get(reverse("sandbox_outbox")).content.decode()

    assert "0411 111 111" in page or "+61411111111" in page
    assert "0422 222 222" not in page and "+61422222222" not in page


def test_a_read_only_member_cannot_simulate_a_call(client, settings):
    settings.VOQO_PROVIDER = "sandbox"
    client.force_login(make_staff_user(username="viewer", role="read_only"))
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_lisa")

    response = client.post(
        reverse("sandbox_simulate_inbound", args=[agent.id]), {"from_phone": "0412 345 678"}
    )

    assert response.status_code == 403


@pytest.mark.skipif(
    "agency" not in {f.name for f in Agent._meta.get_fields()},
    reason="agents gain their agency in the agents app",
)
def test_another_agencys_agent_cannot_be_called_in_the_sandbox(staff_client, settings):
    settings.VOQO_PROVIDER = "sandbox"
    theirs = make_agent(agency=make_agency(), name="Maya", elevenlabs_agent_id="agent_sbx_maya")

    response = staff_client.post(
        reverse("sandbox_simulate_inbound", args=[theirs.id]), {"from_phone": "0412 345 678"}
    )

    assert response.status_code == 404
