from django.core.management.base import BaseCommand

from outcomes.alerts import send_due_alerts


class Command(BaseCommand):
    help = "Send every lead alert whose first try, retry or end of quiet hours is due."

    def handle(self, *args, **options) -> None:
        tried = send_due_alerts()
        self.stdout.write(f"{tried} lead alert(s) tried.")
