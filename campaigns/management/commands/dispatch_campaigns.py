from django.core.management.base import BaseCommand

from campaigns.engine import dispatch_tick


class Command(BaseCommand):
    help = "Run one campaign dispatch tick: recover stuck rows, then dial what each job allows."

    def handle(self, *args, **options) -> None:
        report = dispatch_tick()
        self.stdout.write(
            f"{report.jobs} jobs, {report.claimed} claimed, {report.dialled} dialled, "
            f"{report.needs_review} moved to needs review"
        )
