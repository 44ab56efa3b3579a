"""Reads of the outcomes domain that other pages show."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count

from calls.models import Call
from campaigns.models import JobCall
from outcomes.models import UNKNOWN, Disposition

LABELS_CACHE_SECONDS = 300


def _labels_key(agency_id) -> str:
    return f"outcomes:labels:{agency_id}"


def outcome_labels(agency) -> dict[str, str]:
    """{disposition key: label} of the agency in display order, `unknown` last (cached: the
    calls list shows them on every page; a saved or deleted disposition clears the cache)."""
    key = _labels_key(agency.pk)
    labels = cache.get(key)
    if labels is None:
        labels = list(Disposition.objects.filter(agency=agency).values_list("key", "label"))
        cache.set(key, labels, LABELS_CACHE_SECONDS)
    return {**dict(labels), UNKNOWN: "Unknown"}


def forget_agency_labels(agency_id) -> None:
    cache.delete(_labels_key(agency_id))


def forget_outcome_labels(sender, instance, **kwargs) -> None:
    """`post_save`/`post_delete` of Disposition: the agency's labels changed."""
    forget_agency_labels(instance.agency_id)


def job_outcome_counts(job) -> list[dict]:
    """The job's calls by outcome, most frequent first (one grouped query).

    The job's call ids come from the job-calls index and its calls by primary key: a join
    from the calls side could walk every call of the agency instead (seconds at 1M calls).
    """
    labels = outcome_labels(job.agency)
    call_ids = JobCall.objects.filter(job=job, call__isnull=False).order_by().values("call_id")
    rows = (
        Call.objects.filter(agency=job.agency, pk__in=call_ids)
        .exclude(disposition="")
        .order_by()
        .values("disposition")
        .annotate(count=Count("id"))
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
