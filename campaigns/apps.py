from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_dispatch_schedule(sender, **kwargs) -> None:
    """The worker's every-minute dispatch tick, created once (idempotent across migrates)."""
    from django_q.models import Schedule

    from campaigns.tasks import DISPATCH_SCHEDULE_NAME

    Schedule.objects.get_or_create(
        name=DISPATCH_SCHEDULE_NAME,
        defaults={
            "func": "campaigns.tasks.dispatch_campaigns",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self) -> None:
        from calls.models import Call
        from calls.signals import call_finished
        from campaigns.engine import on_call_finished

        call_finished.connect(on_call_finished, sender=Call, dispatch_uid="campaigns.job_calls")
        post_migrate.connect(ensure_dispatch_schedule, sender=self)
