"""django-q2 entry points of monitoring."""

from monitoring.heartbeat import beat


def heartbeat() -> None:
    """Every minute: the worker says it is alive (read by /health)."""
    beat()
