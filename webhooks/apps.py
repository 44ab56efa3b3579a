from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from voqo.events import domain_event
        from webhooks.queue import ensure_delivery_schedule
        from webhooks.sending import on_domain_event

        domain_event.connect(on_domain_event, dispatch_uid="webhooks.outgoing")
        post_migrate.connect(ensure_delivery_schedule, sender=self)
