"""Opt-outs, consents and washes are announced to the audit trail."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compliance.consent import record_consent
from tests.factories import make_contact
from voqo.events import audit_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited():
    kinds = []

    def listen(sender, kind, summary, actor, **kwargs):
        kinds.append((kind, summary, actor))

    audit_event.connect(listen)
    yield kinds
    audit_event.disconnect(listen)


def test_staff_opt_outs_opt_ins_consents_and_washes_are_audited(staff_client, audited):
    contact = make_contact(name="Priya")
    record_consent(
        contact=contact,
        kind="express",
        method="in_person",
        obtained_at=timezone.now() - timedelta(hours=1),
        obtained_by="Sam",
        evidence_note="At the open home",
    )
    staff_client.post(reverse("contacts:opt_out", args=[contact.id]))
    staff_client.post(reverse("contacts:opt_in", args=[contact.id]))
    staff_client.post(
        reverse("compliance:wash_import"),
        {
            "file": SimpleUploadedFile("r.csv", b"0400000001,N\n"),
            "checked_on": timezone.localdate().isoformat(),
        },
    )

    kinds = [kind for kind, _, _ in audited]
    assert kinds == [
        "compliance.consent_recorded",
        "opt_out.changed",
        "opt_out.changed",
        "compliance.wash_imported",
    ]
    assert audited[1][1].startswith(f"Opted out {contact.phone}")
    assert audited[2][1] == f"Opted in {contact.phone} again"
    assert audited[1][2].username == "staff"
