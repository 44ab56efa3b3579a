from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from agencies.models import Agency
        from calls.models import Call
        from calls.signals import post_call_recorded
        from outcomes.analytics import on_call_deleted
        from outcomes.dispositions import give_new_agency_defaults
        from outcomes.models import Disposition
        from outcomes.privacy import export_sections, on_contact_forgetting
        from outcomes.queue import ensure_alert_schedule
        from outcomes.recording import on_post_call_recorded, on_webhook_delivery_finished
        from outcomes.selectors import forget_outcome_labels
        from retention.forgetting import access_export_sections, contact_forgetting
        from webhooks.signals import delivery_finished

        post_save.connect(give_new_agency_defaults, sender=Agency, dispatch_uid="outcomes.defaults")
        post_call_recorded.connect(on_post_call_recorded, dispatch_uid="outcomes.record")
        post_migrate.connect(ensure_alert_schedule, sender=self)
        post_delete.connect(on_call_deleted, sender=Call, dispatch_uid="outcomes.call_deleted")
        contact_forgetting.connect(on_contact_forgetting, dispatch_uid="outcomes.forget")
        access_export_sections.connect(export_sections, dispatch_uid="outcomes.export")
        delivery_finished.connect(on_webhook_delivery_finished, dispatch_uid="outcomes.webhook")
        for signal in (post_save, post_delete):
            signal.connect(
                forget_outcome_labels, sender=Disposition, dispatch_uid="outcomes.labels"
            )
