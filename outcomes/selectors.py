"""Reads of the outcomes domain that other pages show."""

from __future__ import annotations

from django.db.models import Count

from calls.models import Call
from outcomes.models import UNKNOWN, Disposition


def outcome_labels(agency) -> dict[str, str]:
    """{disposition key: label} of the agency, `unknown` included (one query)."""
    labels = dict(Disposition.objects.filter(agency=agency).values_list("key", "label"))
    labels[UNKNOWN] = "Unknown"
    return labels


def job_outcome_counts(job) -> list[dict]:
    """The job's calls by outcome, most frequent first (one grouped query)."""
    labels = outcome_labels(job.agency)
    rows = (
        Call.objects.filter(agency=job.agency, job_calls__job=job)
        .exclude(disposition="")
        .order_by()
        .values("disposition")
        .annotate(count=Count("id", distinct=True))
        .order_by("-count")
    )
    return [
        {
            "key": row["disposition"],
            "label": labels.get(row["disposition"], row["disposition"]),
            "count": row["count"],
        }
        for row in rows
    ]
