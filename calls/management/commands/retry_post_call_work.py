from django.core.management.base import BaseCommand

from calls import services


class Command(BaseCommand):
    help = (
        "Process stored webhook events no worker finished and send follow-up SMS whose retry "
        "is due (run from cron every minute or two)."
    )

    def handle(self, *args, **options):
        events, sms = services.sweep_post_call_work()
        self.stdout.write(f"{events} event(s) processed, {sms} SMS retried.")
