"""A member's own lead-alert settings: the mobile alerts are texted to, and their opt-out."""

from __future__ import annotations

from django.utils import timezone

from agencies.models import Membership
from voqo.events import record_audit


def set_member_alerts(*, membership: Membership, phone: str, sms_opted_out: bool) -> Membership:
    """Save the member's alert mobile (E.164 or "") and whether they get SMS alerts."""
    was_out = membership.sms_alerts_opted_out_at is not None
    membership.alert_phone = phone
    if sms_opted_out and not was_out:
        membership.sms_alerts_opted_out_at = timezone.now()
    elif not sms_opted_out:
        membership.sms_alerts_opted_out_at = None
    membership.save(update_fields=["alert_phone", "sms_alerts_opted_out_at"])
    if sms_opted_out != was_out:
        record_audit(
            membership.agency,
            membership.user,
            "member.sms_alerts_opted_out" if sms_opted_out else "member.sms_alerts_opted_in",
            f"{membership.user.get_username()} "
            + ("opted out of SMS lead alerts" if sms_opted_out else "gets SMS lead alerts again"),
            target=f"membership:{membership.pk}",
        )
    return membership
