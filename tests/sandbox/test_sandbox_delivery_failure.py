"""A sandbox webhook that cannot reach Voqo is noted on the call page, and the call is
completed from the sandbox's conversation once reconciliation looks it up."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from sandbox.models import SandboxConversation, SandboxMessage
from tests.calls.conftest import run_after_commit
from tests.factories import make_agent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("within_calling_hours", "numbers_washed"),
]


def test_a_failed_delivery_shows_on_the_call_page_and_reconciliation_recovers_the_call(
    staff_client, settings
):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"  # nothing listens: the wrong port
    settings.SANDBOX_FAILURE_RATE = 0
    agent = make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_lisa")

    with run_after_commit():
        staff_client.post(
            reverse("contacts:call_number"), {"agent": agent.id, "phone": "0412 345 678"}
        )

    call = Call.objects.get()
    assert SandboxConversation.objects.get().delivery_status == 0
    assert call.status == "initiated"
    page = staff_client.get(reverse("calls:detail", args=[call.id])).content.decode()
    assert (
        "The sandbox could not deliver this call&#x27;s result to "
        "http://127.0.0.1:9/webhooks/elevenlabs/post-call (could not connect)" in page
    )
    assert "PUBLIC_BASE_URL must be the address Voqo is served at" in page

    Call.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    with run_after_commit():
        call_command("reconcile_calls", stdout=StringIO())

    call.refresh_from_db()
    assert call.status == "completed" and call.transcript
    assert "fetched it from the provider" in call.result_note
    assert SandboxMessage.objects.get().to_phone == "+61412345678"
