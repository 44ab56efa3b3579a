from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = "Health and metrics"

    def ready(self) -> None:
        from monitoring.heartbeat import ensure_heartbeat_schedule

        post_migrate.connect(ensure_heartbeat_schedule, sender=self)
