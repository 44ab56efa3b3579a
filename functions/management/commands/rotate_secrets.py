from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from voqo.crypto import EncryptedTextField, SecretDecryptionError, get_fernet


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the newest key in FIELD_ENCRYPTION_KEYS "
        "(put the new key first, run this, then remove the old key)."
    )

    def handle(self, *args, **options):
        get_fernet()  # fail early, with the key hint, when no valid key is configured
        total = 0
        for model in apps.get_models():
            names = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, EncryptedTextField)
            ]
            if not names:
                continue
            rotated = 0
            try:
                # Loading decrypts with any key; writing encrypts with the newest one.
                # A list, not an iterator: SQLite gives no isolation between a running
                # SELECT and UPDATEs of the same table on one connection.
                for row in list(model._base_manager.only("pk", *names)):
                    values = {name: getattr(row, name) for name in names}
                    model._base_manager.filter(pk=row.pk).update(**values)
                    rotated += 1
            except SecretDecryptionError as exc:
                raise CommandError(f"{model._meta.label}: {exc}") from None
            total += rotated
            self.stdout.write(f"{model._meta.label}: re-encrypted {rotated} row(s).")
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total} row(s) re-encrypted with the newest key.")
        )
