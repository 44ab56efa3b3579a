from django.apps import AppConfig


class VoqoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "voqo"
    verbose_name = "Voqo"
