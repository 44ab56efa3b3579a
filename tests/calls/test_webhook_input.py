"""Whatever arrives at the post-call webhook gets a clear 4xx, never a 500: garbage
signature headers, bodies no provider sends, ids Voqo cannot store whole."""

import codecs
import copy
import json
import time

import pytest

from calls.models import Call, WebhookEvent
from tests.calls.conftest import post_event
from tests.fakeprovider import elevenlabs_signature, load_payload

pytestmark = pytest.mark.django_db


def _event(conversation_id: str = "conv_input") -> dict:
    event = copy.deepcopy(load_payload("post_call_transcription__inbound"))
    event["data"]["conversation_id"] = conversation_id
    return event


# -- signature headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("t=²,v0=00", id="superscript-digit"),
        pytest.param("t=" + "9" * 5000 + ",v0=00", id="5000-digit-timestamp"),
        pytest.param("t=-1,v0=00", id="negative"),
        pytest.param("t=1e9,v0=00", id="float"),
        pytest.param("t=,v0=", id="empty-parts"),
        pytest.param(",,,", id="commas"),
        pytest.param("t=1763800000", id="no-signature"),
        pytest.param("v0=" + "0" * 64, id="no-timestamp"),
        pytest.param("t=١٧٦٣٨٠٠٠٠٠,v0=00", id="arabic-indic-digits"),
    ],
)
def test_garbage_signature_headers_get_a_401(client, header):
    response = post_event(client, _event(), signature=header)

    assert response.status_code == 401
    assert response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_a_few_minutes_ahead_is_accepted_as_clock_drift(client, agent):
    body = json.dumps(_event()).encode()
    ahead = elevenlabs_signature(body, "whsec_test", int(time.time()) + 4 * 60)

    assert post_event(client, body, signature=ahead).status_code == 200


def test_the_header_is_read_as_the_official_sdk_reads_it(client, agent):
    body = json.dumps(_event()).encode()
    signed = elevenlabs_signature(body, "whsec_test")
    # Unknown schemes are skipped, as the SDK skips them.
    header = f"v1=ignored,{signed},x=y"

    assert post_event(client, body, signature=header).status_code == 200


# -- bodies no provider sends ------------------------------------------------------------------


def _deeply_nested(depth: int) -> bytes:
    inner = "[" * depth + "]" * depth
    return (
        '{"type": "post_call_transcription", "data": {"conversation_id": "conv_deep", '
        '"analysis": ' + inner + "}}"
    ).encode()


@pytest.mark.parametrize(
    "body, reason",
    [
        pytest.param(
            b'{"type": "post_call_transcription", "data": {"conversation_id": "c", "x": NaN}}',
            "NaN",
            id="nan",
        ),
        pytest.param(
            b'{"type": "post_call_transcription", "data": {"conversation_id": "c", '
            b'"x": -Infinity}}',
            "Infinity",
            id="infinity",
        ),
        pytest.param(
            b'{"type": "post_call_transcription", "data": {"conversation_id": "c", "x": 1e999}}',
            "out of range",
            id="overflowing-number",
        ),
        pytest.param(
            b'{"type": "post_call_transcription", "data": {"conversation_id": "conv_\\ud800"}}',
            "conversation_id",
            id="lone-surrogate-in-conversation-id",
        ),
        pytest.param(
            json.dumps(_event()).encode("utf-16"),
            "UTF-8",
            id="utf-16",
        ),
        pytest.param(_deeply_nested(100_000), "nested", id="100000-deep"),
        pytest.param(_deeply_nested(200), "nested", id="200-deep"),
        pytest.param(b"\xff\xfe{}", "UTF-8", id="not-text"),
        pytest.param(
            b'{"type": "post_call_transcription", "data": {"conversation_id": "c", "x": "a\nb"}}',
            "not valid JSON",
            id="raw-newline-in-a-string",
        ),
        pytest.param(
            b'{"type": "post_call_transcription", "data": {"conversation_id": "c"}} trailing',
            "not valid JSON",
            id="text-after-the-object",
        ),
        pytest.param(_deeply_nested(2_000), "nested", id="2000-deep"),
        pytest.param(b"[1, 2]", "JSON object", id="an-array"),
    ],
)
def test_bodies_no_provider_sends_get_a_400_with_the_reason(client, body, reason):
    response = post_event(client, body)

    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_a_utf8_byte_order_mark_is_accepted(client, agent):
    body = codecs.BOM_UTF8 + json.dumps(_event("conv_bom")).encode()

    assert post_event(client, body).status_code == 200

    assert Call.objects.get(elevenlabs_conversation_id="conv_bom").summary


def test_escapes_a_database_cannot_store_are_replaced_before_storing(client, agent):
    event = _event("conv_nul")
    event["data"]["analysis"]["transcript_summary"] = "Priya\u0000 asked \udc00 twice"

    assert post_event(client, event).status_code == 200

    stored = WebhookEvent.objects.get()
    assert stored.payload["data"]["analysis"]["transcript_summary"] == "Priya asked \ufffd twice"
    assert Call.objects.get().summary == "Priya asked \ufffd twice"


def test_a_number_beyond_64_bits_is_stored_exactly_as_sent(client, agent):
    body = (
        json.dumps(_event("conv_big_number"))[:-1]
        + ', "listing_ref": 123456789012345678901234567890}'
    )

    assert post_event(client, body.encode()).status_code == 200

    assert WebhookEvent.objects.get().payload["listing_ref"] == 123456789012345678901234567890


# -- unknown events and conversation ids -------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        {"type": "something_new"},
        {"type": "something_new", "data": {}},
        {"type": "answering_machine_detection", "data": "not an object"},
    ],
)
def test_unknown_event_types_without_a_conversation_id_are_acknowledged_and_ignored(client, event):
    response = post_event(client, event)

    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert not WebhookEvent.objects.exists()


def test_a_conversation_id_longer_than_voqo_stores_is_refused(client):
    response = post_event(client, _event("conv_" + "x" * 124))

    assert response.status_code == 400
    assert "128" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_two_long_conversation_ids_sharing_a_prefix_are_two_calls(client, agent):
    prefix = "conv_" + "x" * 122
    post_event(client, _event(prefix + "a"))
    post_event(client, _event(prefix + "b"))

    assert set(Call.objects.values_list("elevenlabs_conversation_id", flat=True)) == {
        prefix + "a",
        prefix + "b",
    }
