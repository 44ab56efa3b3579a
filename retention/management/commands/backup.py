from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from retention.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one timestamped archive (.tar.gz) with a consistent copy of the database and "
        "the media files to BACKUP_DIR (or --output-dir)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, help="Directory for the archive.")

    def handle(self, *args, output_dir=None, **options):
        try:
            archive = create_backup(directory=output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))
