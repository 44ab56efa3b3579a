from django.core.management.base import BaseCommand

from calls import services


class Command(BaseCommand):
    help = (
        "Process stored webhook events no worker finished and send follow-up SMS whose retry "
        "is due (run from cron every minute or two)."
    )

    def handle(self, *args, **options):
        events = services.unprocessed_event_ids()
        for event_id in events:
            try:
                services.process_webhook_event(event_id)
            except Exception as error:  # recorded on the event; the next tick tries again
                self.stderr.write(f"event {event_id}: {error!r}")
        calls = services.due_sms_call_ids()
        for call_id in calls:
            services.send_post_call_sms(call_id)
        self.stdout.write(f"{len(events)} event(s) processed, {len(calls)} SMS retried.")
