"""A forgotten contact's consent records, and what an access request shows of them.

Under the Australian Privacy Principles, personal information no longer needed for a
permitted purpose is destroyed or de-identified (APP 11.2), and keeping what a law requires
is allowed (APP 6.2(b)). Once the person is forgotten no call can rely on their consent, so
the consent records go with the contact, evidence notes and all. What must outlive them is
the fact that they said no: a withdrawn consent puts their number on the do-not-contact list
(kept by forgetting, with when and why), because the Spam Act 2003 and the Telemarketing
Industry Standard 2017 oblige us to honour it; their stored Do Not Call Register result is
dropped (it is looked up again before any call).
"""

from __future__ import annotations

from typing import Any

from compliance.models import Consent, WashResult
from contacts.opt_out import opt_out_number


def on_contact_forgetting(sender, contact, **kwargs: Any) -> None:
    """Keep a withdrawal as an opt-out of the number; the consent rows go with the contact."""
    if Consent.objects.filter(contact=contact, withdrawn_at__isnull=False).exists():
        opt_out_number(
            phone=contact.phone, by="Consent withdrawn (person forgotten)", agency=contact.agency
        )
    WashResult.objects.filter(agency_id=contact.agency_id, phone=contact.phone).delete()


def export_sections(sender, contact, **kwargs: Any) -> dict[str, Any]:
    """Their consents: kind, how and when obtained, evidence, expiry, withdrawal."""
    return {
        "consents": [
            {
                "kind": consent.kind,
                "method": consent.method,
                "obtained_at": consent.obtained_at,
                "obtained_by": consent.obtained_by,
                "evidence_note": consent.evidence_note,
                "call_id": consent.call_id,
                "expires_at": consent.expires_at,
                "withdrawn_at": consent.withdrawn_at,
                "withdrawn_by": consent.withdrawn_by,
            }
            for consent in Consent.objects.filter(contact=contact).order_by("obtained_at")
        ]
    }
