"""django-q2 entry points of the retention domain: thin, they call services."""

from retention.purge import run_purge


def purge() -> dict[str, int]:
    """The scheduled purge (hourly): every step, in batches, counted in the audit trail."""
    return run_purge().totals
