from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class VoicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "voices"
    verbose_name = "Voices"

    def ready(self) -> None:
        from calls.signals import post_call_recorded
        from retention.forgetting import contact_forgetting
        from voices.queue import ensure_expiry_schedule
        from voices.services import (
            on_caller_voice_needed,
            on_contact_forgetting,
            on_outbound_voice_wanted,
            on_post_call_recorded,
            on_voice_used,
        )
        from voqo.events import caller_voice_needed, outbound_voice_wanted, voice_used

        caller_voice_needed.connect(on_caller_voice_needed, dispatch_uid="voices.clone")
        voice_used.connect(on_voice_used, dispatch_uid="voices.used")
        outbound_voice_wanted.connect(on_outbound_voice_wanted, dispatch_uid="voices.outbound")
        post_call_recorded.connect(on_post_call_recorded, dispatch_uid="voices.call_events")
        contact_forgetting.connect(on_contact_forgetting, dispatch_uid="voices.forget")

        post_migrate.connect(ensure_expiry_schedule, sender=apps.get_app_config("django_q"))
