"""Two mapped callers ringing at the same moment, against a real threaded server: each
conversation is told its own voice, and the shared agent is never changed."""

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_agent, make_contact, make_staff_user
from tests.voices.helpers import INITIATION, TOKEN, make_library_voice, spoken_voice

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5  # several rounds of two overlapping rings


def ring_over_http(url: str, caller: str) -> dict:
    body = json.dumps(
        {"caller_id": caller, "agent_id": "agent_sales", "called_number": "+61280001234"}
    ).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_two_mapped_callers_ringing_at_once_each_hear_their_own_voice_and_no_agent_changes(
    live_server, live_provider_settings
):
    make_agent(name="Lisa", elevenlabs_agent_id="agent_sales", sync_status="synced")
    manager = Client()
    manager.force_login(make_staff_user(username="olivia", role="manager"))
    sarah = make_library_voice("voice_sarah", name="Sarah")
    tom = make_library_voice("voice_tom", name="Tom")
    priya = make_contact(name="Priya", phone="+61412345678")
    manager.post(
        reverse("voices:caller_map"), {"phone": priya.phone, "voice": f"library:{sarah.pk}"}
    )
    # The second caller is no contact: a bare number mapped to a voice.
    manager.post(
        reverse("voices:caller_map"), {"phone": "0412 999 888", "voice": f"library:{tom.pk}"}
    )
    url = f"{live_server.url}{INITIATION}"
    callers = [priya.phone, "+61412999888"]
    start = threading.Barrier(len(callers))

    def ring_together(caller: str) -> dict:
        start.wait()  # both requests are in flight together
        return ring_over_http(url, caller)

    with ThreadPoolExecutor(max_workers=len(callers)) as pool:
        rounds = [list(pool.map(ring_together, callers)) for _ in range(ROUNDS)]

    for priyas, kens in rounds:
        assert spoken_voice(priyas) == "voice_sarah"
        assert priyas["dynamic_variables"]["caller_name"] == "Priya"
        assert spoken_voice(kens) == "voice_tom"
    assert not live_provider_settings.requests_to("PATCH", "/v1/convai/agents")
    assert not live_provider_settings.requests_to("POST", "/v1/convai/agents")
