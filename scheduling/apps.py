from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"

    def ready(self) -> None:
        from calls.models import Call
        from calls.signals import call_finished
        from retention.forgetting import access_export_sections, contact_forgetting
        from scheduling import privacy
        from scheduling.queue import ensure_tick_schedule
        from scheduling.services import on_call_finished

        call_finished.connect(on_call_finished, sender=Call, dispatch_uid="scheduling.calls")
        post_migrate.connect(ensure_tick_schedule, sender=self)
        contact_forgetting.connect(privacy.on_contact_forgetting, dispatch_uid="scheduling.forget")
        access_export_sections.connect(privacy.export_sections, dispatch_uid="scheduling.export")
