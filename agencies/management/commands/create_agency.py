from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.services import create_agency


class Command(BaseCommand):
    help = "Create an agency (an office or franchise on this install) and print it."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="short unique name, e.g. harbour-realty")
        parser.add_argument("--name", required=True, help="the agency's name as members see it")
        parser.add_argument("--time-zone", default=None, help="e.g. Australia/Perth")

    def handle(self, *args, slug: str, name: str, time_zone: str | None, **options):
        try:
            agency = create_agency(name=name, slug=slug, time_zone=time_zone)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Created agency {agency.name!r} (slug {agency.slug}, id {agency.id}, "
            f"time zone {agency.time_zone})."
        )
