from django.core.management.base import BaseCommand

from calls import reconciling


class Command(BaseCommand):
    help = (
        "Look up single calls still waiting for their result after CALL_RESULT_TIMEOUT_MINUTES "
        "with the provider, or close them with the reason (the worker's sweep also runs this)."
    )

    def handle(self, *args, **options):
        settled = reconciling.reconcile_waiting_calls()
        self.stdout.write(f"{settled} call(s) reconciled.")
