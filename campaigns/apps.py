from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self) -> None:
        from calls.models import Call
        from calls.signals import call_finished
        from campaigns.engine import on_call_finished
        from campaigns.queue import ensure_dispatch_schedule

        call_finished.connect(on_call_finished, sender=Call, dispatch_uid="campaigns.job_calls")
        post_migrate.connect(ensure_dispatch_schedule, sender=self)
