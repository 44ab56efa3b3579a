from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RetentionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = "Retention and privacy"

    def ready(self) -> None:
        from retention.queue import ensure_purge_schedule

        post_migrate.connect(ensure_purge_schedule, sender=self)
