from django.apps import AppConfig
from django.core import checks


class FunctionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "functions"

    def ready(self) -> None:
        from functions.checks import check_undecryptable_secrets
        from voqo.crypto import check_encryption_keys

        # Custom-function secrets are the encrypted data; the checks live with their owner.
        checks.register(check_encryption_keys, checks.Tags.security)
        checks.register(check_undecryptable_secrets, checks.Tags.security, checks.Tags.database)
