from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "calls"

    def ready(self) -> None:
        from calls.queue import ensure_sweep_schedule

        post_migrate.connect(ensure_sweep_schedule, sender=self)
