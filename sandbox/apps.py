from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """ElevenLabs and Twilio simulated inside Voqo: the app on top of every other one."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sandbox"
    verbose_name = "Sandbox"
