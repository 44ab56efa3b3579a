import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write a local .env for development (generated secrets, DEBUG on, sandbox provider)."
    # It writes the keys the system checks ask for, so it must run before they pass.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Overwrite an existing .env.")

    def handle(self, *args, force: bool = False, **options):
        path = Path(settings.BASE_DIR) / ".env"
        if path.exists() and not force:
            self.stdout.write(f"{path} exists; leaving it alone (use --force to replace it).")
            return
        path.write_text(
            "# Written by `manage.py init_env` for local development. See .env.example.\n"
            "DEBUG=true\n"
            f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
            f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
            f"VOQO_ADMIN_PASSWORD={secrets.token_urlsafe(12)}\n"
        )
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} with generated secrets."))
