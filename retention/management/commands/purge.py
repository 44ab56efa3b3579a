from django.core.management.base import BaseCommand

from retention.purge import run_purge


class Command(BaseCommand):
    help = (
        "Remove recordings, transcripts and webhook payloads past each agency's retention, "
        "finished task rows and expired invitations, in short batches; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        result = run_purge(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for name, total in result.totals.items():
            self.stdout.write(f"{name}: {verb} {total}")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
