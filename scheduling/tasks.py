"""django-q2 entry points for scheduled calls: thin and idempotent (the claims make a second
run harmless). Their paths are named in scheduling.queue."""

from scheduling import services


def place_due_calls() -> str:
    """Every minute: place each scheduled call whose time has come, once."""
    report = services.place_due_calls()
    return f"{report.placed} placed, {report.failed} failed"
