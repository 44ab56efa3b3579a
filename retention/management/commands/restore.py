from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from retention.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive (from `manage.py backup`) into this empty install."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `backup`.")

    def handle(self, *args, archive: Path, **options):
        try:
            report = restore_backup(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {report.rows} rows in {report.tables} tables and "
            f"{report.media_files} media files ({report.engine}). Run `manage.py migrate` "
            "if this Voqo is newer than the backup."
        )
