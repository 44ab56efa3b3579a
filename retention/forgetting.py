"""Forgetting a person and answering their access request (Australian Privacy Principles
12 and 11.2): plain functions the pages and the API both call.

Forgetting removes the contact with its memories, the SMS bodies, transcripts, summaries and
recordings of their calls, and their name and details in campaign uploads. The calls stay as
anonymous rows (no contact, no number, no words) so call counts and durations still add up.
Their opt-out, if any, stays on the do-not-contact list: forgetting someone must never
make them callable again.

Other apps that keep facts about a contact (outcomes and lead alerts, consents, SMS
threads, scheduled calls) erase their own rows by listening to `contact_forgetting`, and add
their section to an access export by listening to `access_export_sections` (return a dict
of section name → JSON-ready data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from calls.models import Call, SmsMessage, WebhookEvent
from contacts.models import Contact, SuppressedNumber
from retention.purge import delete_media_files
from voqo.events import record_audit

# kwargs: contact, call_ids (their calls, still as they were: sent inside the forgetting
# transaction before anything is erased)
contact_forgetting = Signal()
# kwargs: contact, call_ids; receivers return {section name: JSON-ready data}
access_export_sections = Signal()


@dataclass(frozen=True)
class ForgetPlan:
    """What forgetting a contact removes, counted, for the confirmation and the audit."""

    memories: int
    calls: int
    recordings: int
    transcripts: int
    sms_messages: int
    campaign_rows: int

    def as_dict(self) -> dict[str, int]:
        return {
            "memories": self.memories,
            "calls anonymised": self.calls,
            "recordings": self.recordings,
            "transcripts": self.transcripts,
            "SMS messages": self.sms_messages,
            "campaign upload rows": self.campaign_rows,
        }


def _calls_of(contact: Contact):
    # Their calls by link, and calls with their number that were never linked (a contact
    # created later, calls before "auto-create contacts" was on).
    return Call.objects.filter(agency_id=contact.agency_id).filter(
        Q(contact=contact) | Q(from_phone=contact.phone) | Q(to_phone=contact.phone)
    )


def _sms_of(contact: Contact):
    return SmsMessage.objects.filter(agency_id=contact.agency_id).filter(
        Q(contact=contact) | Q(from_phone=contact.phone) | Q(to_phone=contact.phone)
    )


def _campaign_rows_of(contact: Contact):
    from campaigns.models import BatchContact

    return BatchContact.objects.filter(agency_id=contact.agency_id, phone=contact.phone)


def forget_plan(contact: Contact) -> ForgetPlan:
    """Count what `forget_contact` would remove (the confirmation page names it)."""
    calls = _calls_of(contact)
    return ForgetPlan(
        memories=contact.memories.count(),
        calls=calls.count(),
        recordings=calls.exclude(recording_file="").count(),
        transcripts=calls.exclude(transcript=[]).count(),
        sms_messages=_sms_of(contact).count(),
        campaign_rows=_campaign_rows_of(contact).count(),
    )


def forget_contact(*, contact: Contact, actor) -> ForgetPlan:
    """Forget `contact` (see the module docstring); returns what went. Recording files are
    deleted once the transaction commits."""
    plan = forget_plan(contact)
    contact_id, agency = contact.pk, contact.agency
    with transaction.atomic():
        # By id: blanking the number takes a call out of `_calls_of`.
        call_ids = list(_calls_of(contact).values_list("pk", flat=True))
        calls = Call.objects.filter(pk__in=call_ids)
        contact_forgetting.send(sender=Contact, contact=contact, call_ids=call_ids)
        recordings = [name for name in calls.values_list("recording_file", flat=True) if name]
        conversation_ids = [
            cid for cid in calls.values_list("elevenlabs_conversation_id", flat=True) if cid
        ]
        # The agency's own number stays on each call (which line took it); theirs goes.
        calls.filter(direction=Call.Direction.INBOUND).update(from_phone="")
        calls.filter(direction=Call.Direction.OUTBOUND).update(to_phone="")
        calls.update(
            contact=None,
            summary="",
            title="",
            transcript=[],
            analysis={},
            dynamic_variables={},
            recording_file="",
            recording_url="",
            recording_expires_at=timezone.now(),
            sms_body="",
            window_override_reason="",
        )
        # The provider's raw payloads of those calls hold the transcript too.
        WebhookEvent.objects.filter(conversation_id__in=conversation_ids).update(payload={})
        sms = SmsMessage.objects.filter(pk__in=list(_sms_of(contact).values_list("pk", flat=True)))
        sms.filter(direction=SmsMessage.Direction.INBOUND).update(from_phone="")
        sms.filter(direction=SmsMessage.Direction.OUTBOUND).update(to_phone="")
        sms.update(body="", contact=None)
        _campaign_rows_of(contact).update(name="", variables={})
        contact.delete()  # its memories go with it (CASCADE)
        record_audit(
            agency,
            actor,
            "contact.forgotten",
            f"Forgot contact {contact_id}: " + _describe(plan),
            detail={"counts": plan.as_dict()},
            target=f"contact:{contact_id}",
        )
        transaction.on_commit(lambda: delete_media_files(recordings))
    return plan


def _describe(plan: ForgetPlan) -> str:
    return ", ".join(f"{count} {name}" for name, count in plan.as_dict().items())


def _call_record(call: Call) -> dict[str, Any]:
    return {
        "id": call.pk,
        "direction": call.direction,
        "status": call.status,
        "from": call.from_phone,
        "to": call.to_phone,
        "agent": call.agent_name or (call.agent.name if call.agent else ""),
        "started_at": call.started_at,
        "ended_at": call.ended_at,
        "created_at": call.created_at,
        "duration_seconds": call.duration,
        "title": call.title,
        "summary": call.summary,
        "outcome": call.outcome,
        "transcript": call.transcript,
        "has_recording": bool(call.recording_file),
        "sms_body": call.sms_body,
    }


def access_export(*, contact: Contact, actor) -> dict[str, Any]:
    """Everything Voqo holds about `contact` as one JSON-ready dict (an access request);
    recorded in the audit trail."""
    suppression = SuppressedNumber.objects.filter(
        agency_id=contact.agency_id, phone=contact.phone
    ).first()
    export: dict[str, Any] = {
        "exported_at": timezone.now(),
        "agency": contact.agency.name,
        "contact": {
            "id": contact.pk,
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "notes": contact.notes,
            "tags": contact.tags,
            "state": contact.state,
            "opted_out_at": contact.opted_out_at,
            "opted_out_by": contact.opted_out_by,
            "last_call_at": contact.last_call_at,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        },
        "memories": [
            {"content": memory.content, "source": memory.source, "created_at": memory.created_at}
            for memory in contact.memories.order_by("created_at")
        ],
        "calls": [
            _call_record(call)
            for call in _calls_of(contact).select_related("agent").order_by("created_at")
        ],
        "sms_messages": [
            {
                "direction": sms.direction,
                "from": sms.from_phone,
                "to": sms.to_phone,
                "body": sms.body,
                "status": sms.status,
                "created_at": sms.created_at,
            }
            for sms in _sms_of(contact).order_by("created_at")
        ],
        "campaign_rows": [
            {"name": row.name, "phone": row.phone, "variables": row.variables}
            for row in _campaign_rows_of(contact).order_by("created_at")
        ],
        "suppression": (
            {"suppressed_at": suppression.suppressed_at, "source": suppression.source}
            if suppression
            else None
        ),
    }
    call_ids = [record["id"] for record in export["calls"]]
    for _receiver, sections in access_export_sections.send(
        sender=Contact, contact=contact, call_ids=call_ids
    ):
        export.update(sections or {})
    record_audit(
        contact.agency,
        actor,
        "contact.access_export",
        f"Exported everything held about contact {contact.pk} (access request)",
        target=f"contact:{contact.pk}",
    )
    return export


def access_export_json(*, contact: Contact, actor) -> str:
    """`access_export` as JSON text (dates as ISO 8601)."""
    import json

    return json.dumps(access_export(contact=contact, actor=actor), cls=DjangoJSONEncoder, indent=2)
