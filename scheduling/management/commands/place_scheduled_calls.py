from django.core.management.base import BaseCommand

from scheduling.services import place_due_calls


class Command(BaseCommand):
    help = "Place every scheduled call whose time has come (what the worker runs every minute)."

    def handle(self, *args, **options) -> None:
        report = place_due_calls()
        self.stdout.write(f"{report.placed} placed, {report.failed} failed")
