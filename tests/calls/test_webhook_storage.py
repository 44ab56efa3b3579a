"""A post-call body is stored as it was received, on every database."""

import copy
import json

import pytest
from django.db import connection
from django.urls import reverse

from calls.models import WebhookEvent
from tests.calls.conftest import post_event
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db


def stored_text(event: WebhookEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM webhook_events WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def test_the_body_is_stored_byte_for_byte_and_reads_back_as_the_event(client, agent):
    event = copy.deepcopy(load_payload("post_call_transcription__inbound"))
    event["data"]["conversation_id"] = "conv_as_sent"
    event["data"]["analysis"]["transcript_summary"] = "Zoë asked about 日本 · 🏠 and 1.50 vs 1.5"
    event["data"]["metadata"]["ratio"] = 1.50
    # Spacing, key order and a number's spelling as the provider wrote them.
    body = json.dumps(event, indent=1, ensure_ascii=False).replace('"ratio": 1.5', '"ratio": 1.50')

    assert post_event(client, body.encode()).status_code == 200

    stored = WebhookEvent.objects.get()
    assert stored_text(stored) == body
    assert stored.payload == event


def test_postgresql_compresses_stored_bodies_with_lz4_where_it_can():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'webhook_events'::regclass AND attname = 'payload'"
        )
        compression = cursor.fetchone()[0]
    assert compression == ("l" if row and row[0] else "")


def test_the_admin_shows_a_stored_body_as_json(admin_client, client, agent):
    event = copy.deepcopy(load_payload("post_call_transcription__inbound"))
    event["data"]["conversation_id"] = "conv_in_admin"
    post_event(client, event)

    stored = WebhookEvent.objects.get()
    page = admin_client.get(reverse("admin:calls_webhookevent_change", args=[stored.pk]))

    assert page.status_code == 200
    assert "&quot;conversation_id&quot;: &quot;conv_in_admin&quot;" in page.content.decode()
