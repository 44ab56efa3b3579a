"""django-q2 entry points for the dialler: thin and idempotent (the engine's claims make a
second run of the same tick harmless). Their paths are named in campaigns.queue."""

from campaigns import engine


def dispatch_campaigns() -> str:
    """The periodic safety net: every job, every minute (retries, windows, recovery)."""
    report = engine.dispatch_tick()
    return f"{report.jobs} jobs, {report.dialled} dialled, {report.needs_review} need review"


def dispatch_job(job_id: str) -> str:
    """Dispatch one job now (after Run/Resume, and when a call ends and frees a slot)."""
    report = engine.dispatch_job(job_id)
    return f"{report.dialled} dialled"
