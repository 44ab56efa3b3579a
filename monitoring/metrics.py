"""Voqo's figures in the Prometheus text format, read from the database at scrape time.

A collector (not process-local counters) because the web and worker processes are many and
short-lived: the database is the one place every count already lives. Cheap queries only —
GROUP BY on indexed status columns and the broker's queue size.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from monitoring.heartbeat import last_beat


def _by(model, column: str) -> list[tuple[str, int]]:
    rows = model.objects.order_by().values_list(column).annotate(n=Count("pk"))
    return [(value or "unknown", n) for value, n in rows]


class VoqoCollector:
    def collect(self) -> Iterator[Metric]:
        from django_q.brokers import get_broker
        from django_q.models import Task

        from calls.models import Call, SmsMessage, WebhookEvent
        from campaigns.models import JobCall

        received = CounterMetricFamily(
            "voqo_webhooks_received",
            "Provider webhook events received (stored), by event type.",
            labels=["event_type"],
        )
        for event_type, n in _by(WebhookEvent, "event_type"):
            received.add_metric([event_type], n)
        yield received

        parked = GaugeMetricFamily(
            "voqo_webhook_events_parked", "Webhook events that kept failing and were parked."
        )
        parked.add_metric([], WebhookEvent.objects.filter(failed_at__isnull=False).count())
        yield parked

        for name, help_text, model, column in (
            ("voqo_calls", "Calls by status.", Call, "status"),
            ("voqo_sms", "SMS messages by Twilio status.", SmsMessage, "status"),
            ("voqo_job_calls", "Campaign job rows by state.", JobCall, "status"),
        ):
            family = GaugeMetricFamily(name, help_text, labels=["status"])
            for status, n in _by(model, column):
                family.add_metric([status], n)
            yield family

        depth = GaugeMetricFamily("voqo_queue_depth", "Tasks waiting in the queue's broker.")
        depth.add_metric([], get_broker().queue_size() or 0)
        yield depth

        # Task rows are kept 7 days (the purge): these are the last week's.
        tasks = CounterMetricFamily(
            "voqo_tasks_finished",
            "Finished queue tasks still kept (7 days), by outcome.",
            labels=["outcome"],
        )
        outcomes = dict(Task.objects.order_by().values_list("success").annotate(n=Count("pk")))
        tasks.add_metric(["success"], outcomes.get(True, 0))
        tasks.add_metric(["failure"], outcomes.get(False, 0))
        yield tasks

        beat = last_beat()
        age = GaugeMetricFamily(
            "voqo_worker_heartbeat_age_seconds",
            "Seconds since the worker's last heartbeat (-1: none yet).",
        )
        age.add_metric([], (timezone.now() - beat).total_seconds() if beat else -1)
        yield age


def render_metrics() -> bytes:
    """Every Voqo metric in the Prometheus text exposition format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(VoqoCollector())
    return generate_latest(registry)
