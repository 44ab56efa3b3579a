from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class RetentionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = "Retention and privacy"

    def ready(self) -> None:
        from retention.queue import ensure_purge_schedule

        # Sent for apps with models only: this app has none, the schedules' table is django_q's.
        post_migrate.connect(ensure_purge_schedule, sender=apps.get_app_config("django_q"))
