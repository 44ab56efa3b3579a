from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from api.keys import create_api_key


class Command(BaseCommand):
    help = "Make an API key for an agency and print it (alone, on the last line): it is shown once."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="the agency's slug")
        parser.add_argument("--name", required=True, help="what uses the key, e.g. crm-sync")
        parser.add_argument(
            "--read-only", action="store_true", help="a key that can read but change nothing"
        )

    def handle(self, *args, agency: str, name: str, read_only: bool, **options):
        found = Agency.objects.filter(slug=agency).first()
        if found is None:
            slugs = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No agency with the slug {agency!r}. Agencies: {slugs or 'none'}.")
        if not name.strip():
            raise CommandError("Give the key a name with --name.")
        new_key = create_api_key(agency=found, name=name, read_only=read_only)
        access = "read-only" if read_only else "read and write"
        self.stdout.write(
            f"Created the {access} API key {new_key.api_key.name!r} for {found.name} "
            f"(prefix {new_key.api_key.prefix}). Copy it now; it is not shown again:"
        )
        self.stdout.write(new_key.secret)
