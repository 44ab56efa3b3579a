import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from voqo.local_address import local_base_url


class Command(BaseCommand):
    help = "Create the staff login for a local install (once) and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("VOQO_ADMIN_USER", "admin"))
        parser.add_argument("--host", default="127.0.0.1", help="where Voqo is served")
        parser.add_argument("--port", default="8000", help="where Voqo is served")

    def handle(self, *args, username: str, host: str, port: str, **options):
        password = os.environ.get("VOQO_ADMIN_PASSWORD", "")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not password:
                self.stderr.write("Set VOQO_ADMIN_PASSWORD (make run writes one into .env).")
                raise SystemExit(1)
            User.objects.create_superuser(username=username, email="", password=password)
            self.stdout.write(self.style.SUCCESS(f"Created staff user {username!r}."))
        elif password and not user.check_password(password):
            password = f"(changed since; reset it with manage.py changepassword {username})"
        self.stdout.write(
            self.style.SUCCESS(
                f"Log in at {local_base_url(host, port)}/ as {username} / {password}"
            )
        )
