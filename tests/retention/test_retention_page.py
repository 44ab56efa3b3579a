"""Owners and managers set how long their agency keeps recordings, transcripts and raw
webhook payloads (defaults 180, 730 and 30 days); a change is audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import default_agency, make_staff_user
from voqo.models import Setting

pytestmark = pytest.mark.django_db

FORM = {
    "retention_recording_days": "90",
    "retention_transcript_days": "730",
    "retention_webhook_payload_days": "14",
}


def test_the_page_shows_the_defaults(staff_client):
    form = staff_client.get(reverse("retention:data")).context["form"]
    assert form.initial == {
        "retention_recording_days": 180,
        "retention_transcript_days": 730,
        "retention_webhook_payload_days": 30,
    }


def test_saving_stores_the_days_and_audits_the_change(staff_client, staff_user):
    response = staff_client.post(reverse("retention:data"), FORM, follow=True)

    assert "Retention saved" in response.content.decode()
    assert Setting.get_value("retention_recording_days", default_agency()) == 90
    assert Setting.get_value("retention_webhook_payload_days", default_agency()) == 14
    entry = AuditEntry.objects.get(kind="retention.changed")
    assert entry.actor == staff_user
    assert [c["field"] for c in entry.detail["changes"]] == [
        "retention_recording_days",
        "retention_webhook_payload_days",
    ]


@pytest.mark.parametrize(
    "value, error",
    [
        ("0", "Keep them at least 1 day."),
        ("99999", "At most 3650 days (10 years)."),
        ("a week", "Enter a whole number of days."),
    ],
)
def test_bad_days_are_refused_with_a_reason(staff_client, value, error):
    response = staff_client.post(
        reverse("retention:data"), {**FORM, "retention_recording_days": value}
    )
    assert error in response.content.decode()
    assert Setting.get_value("retention_recording_days", default_agency()) == 180


def test_staff_cannot_change_retention(client):
    client.force_login(make_staff_user(username="sam", role="staff"))
    assert client.post(reverse("retention:data"), FORM).status_code == 403
