"""The demo data looks like the product's own work: every call's follow-up SMS is complete."""

import pytest
from django.core.management import call_command

from calls.models import Call, SmsMessage

pytestmark = pytest.mark.django_db


def test_demo_calls_show_their_sms_with_status_and_text(staff_client):
    call_command("load_demo_data", seed=3)

    sent = Call.objects.filter(sms_sent_at__isnull=False)
    assert sent.exists()
    for call in sent:
        assert call.sms_status == Call.SmsStatus.SENT and call.sms_body.startswith("Hi ")
        assert SmsMessage.objects.get(call=call).body == call.sms_body
    unsent = Call.objects.exclude(status=Call.Status.COMPLETED)
    assert all(c.sms_status == Call.SmsStatus.SKIPPED and c.sms_error for c in unsent)

    page = staff_client.get(f"/calls/{sent.first().id}/").content.decode()
    assert "Sent" in page and "Delivered" in page and sent.first().sms_body[:20] in page
