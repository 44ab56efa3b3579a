from django.core.management.base import BaseCommand

from calls import followup_sms, receiving


class Command(BaseCommand):
    help = (
        "Process stored webhook events no worker finished and send follow-up SMS whose retry "
        "is due (run from cron every minute or two)."
    )

    def handle(self, *args, **options):
        events = receiving.sweep_unprocessed_events()
        sms = followup_sms.send_due_sms()
        self.stdout.write(f"{events} event(s) processed, {sms} SMS retried.")
