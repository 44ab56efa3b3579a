from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from voqo.crypto import EncryptedTextField, get_fernet, is_undecryptable


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the newest key in FIELD_ENCRYPTION_KEYS "
        "(put the new key first, run this, then remove the old key)."
    )

    def handle(self, *args, **options):
        get_fernet()  # fail early, with the key hint, when no valid key is configured
        total = 0
        unreadable: list[str] = []
        for model in apps.get_models():
            names = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, EncryptedTextField)
            ]
            if not names:
                continue
            rotated = 0
            # Loading decrypts with any key; writing encrypts with the newest one.
            # A list, not an iterator: SQLite gives no isolation between a running
            # SELECT and UPDATEs of the same table on one connection.
            for row in list(model._base_manager.all()):
                values = {name: getattr(row, name) for name in names}
                lost = [name for name, value in values.items() if is_undecryptable(value)]
                if lost:
                    # Left as stored: the removed key may still be found and put back.
                    unreadable.append(f"{model._meta.label} “{row}” ({row.pk}): {', '.join(lost)}")
                    continue
                model._base_manager.filter(pk=row.pk).update(**values)
                rotated += 1
            total += rotated
            self.stdout.write(f"{model._meta.label}: re-encrypted {rotated} row(s).")
        if unreadable:
            raise CommandError(
                "No key in FIELD_ENCRYPTION_KEYS decrypts these secrets (left unchanged): "
                + "; ".join(unreadable)
                + ". Put the old key back and run this again, or re-enter them on the "
                "function pages."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total} row(s) re-encrypted with the newest key.")
        )
