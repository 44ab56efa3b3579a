from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_sweep_schedule(**kwargs) -> None:
    """The worker sweeps up lost webhook events and due SMS retries every minute."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name="Sweep post-call work",
        defaults={
            "func": "calls.tasks.sweep_post_call_work",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


class CallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "calls"

    def ready(self) -> None:
        post_migrate.connect(ensure_sweep_schedule, sender=self)
