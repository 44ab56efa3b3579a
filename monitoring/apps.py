from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = "Health and metrics"

    def ready(self) -> None:
        from monitoring.heartbeat import ensure_heartbeat_schedule

        # Sent for apps with models only: this app has none, the schedules' table is django_q's.
        post_migrate.connect(ensure_heartbeat_schedule, sender=apps.get_app_config("django_q"))
