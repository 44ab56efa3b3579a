"""What the calling window means for a job's numbers: who is called when, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from campaigns.models import BatchContact, Job
from voqo import calling_window as window


@dataclass
class RegionWindow:
    """How many of a job's numbers share one calling window, when it is open, and why."""

    label: str
    numbers: int
    opens_at: datetime
    closes_at: datetime
    reason: str
    # Mobiles with no state anywhere (contact, row, agency): the narrow, every-zone window.
    state_unknown: bool = False

    @property
    def open_now(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at


def window_summary(job: Job, now: datetime | None = None) -> list[RegionWindow]:
    """The job's numbers grouped by calling window: the current or next open stretch of each.

    One GROUP BY over the upload's rows (indexed by upload); empty for an "Any time" job.
    """
    if job.calling_window != Job.CallingWindow.AU_TELEMARKETING:
        return []
    now = now or timezone.now()
    default_state = window.agency_default_state(job.agency)
    counts = (
        BatchContact.objects.filter(upload_id=job.upload_id)
        .order_by()
        .values_list("region")
        .annotate(n=Count("id"))
    )
    summary = []
    for key, numbers in sorted(counts, key=lambda pair: -pair[1]):
        region = window.effective_region(key, default_state)
        opens_at, closes_at = window.window_span(key, now, default_state, job.purpose)
        reason = window.region_reason(key, default_state, stated=False)
        if key in window.STATE_ZONES:
            reason = f"state {key}, from the upload's “state” column or the contact's state"
        label = region.label if key != window.UNKNOWN_REGION else "Mobiles with no state"
        state_unknown = key == window.UNKNOWN_REGION and not default_state
        summary.append(
            RegionWindow(label, numbers, opens_at, closes_at, reason, state_unknown=state_unknown)
        )
    return summary
