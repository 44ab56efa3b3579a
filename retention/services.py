"""What changes an agency's retention."""

from typing import Any

from django.db import transaction

from voqo.events import record_audit
from voqo.models import Setting

RETENTION_KEYS = (
    "retention_recording_days",
    "retention_transcript_days",
    "retention_webhook_payload_days",
)


def retention_values(agency) -> dict[str, int]:
    values = Setting.all_values(agency)
    return {key: values[key] for key in RETENTION_KEYS}


@transaction.atomic
def save_retention(*, agency, values: dict[str, Any], actor) -> None:
    """Store the agency's retention days; a change is recorded in the audit trail."""
    before = retention_values(agency)
    changes = [
        {"field": key, "before": before[key], "after": values[key]}
        for key in RETENTION_KEYS
        if key in values and values[key] != before[key]
    ]
    for change in changes:
        Setting.set_value(change["field"], change["after"], agency)
    if changes:
        record_audit(
            agency,
            actor,
            "retention.changed",
            "Retention changed: "
            + ", ".join(f"{c['field']} {c['before']} → {c['after']}" for c in changes),
            detail={"changes": changes},
        )
