import copy

import pytest

from tests.calls.conftest import EL_AGENT_ID
from tests.factories import make_agent
from tests.fakeprovider import load_payload


@pytest.fixture(autouse=True)
def provider(live_provider_settings):
    """Outcome tests talk to the fake ElevenLabs/Twilio server through the live SDKs."""
    return live_provider_settings


@pytest.fixture
def agent(db):
    return make_agent(name="Lisa", elevenlabs_agent_id=EL_AGENT_ID, sync_status="synced")


def analysed_call(collected: dict, *, conversation_id="conv_0101k3example", evaluation=None):
    """The inbound post-call event with these data-collection values (besides the caller's)."""
    event = copy.deepcopy(load_payload("post_call_transcription__inbound"))
    event["data"]["conversation_id"] = conversation_id
    analysis = event["data"]["analysis"]
    for key, value in collected.items():
        analysis["data_collection_results"][key] = {
            "data_collection_id": key,
            "value": value,
            "rationale": "Said during the call.",
        }
    if evaluation is not None:
        analysis["evaluation_criteria_results"] = {
            key: {"criteria_id": key, "result": result, "rationale": "…"}
            for key, result in evaluation.items()
        }
    return event
