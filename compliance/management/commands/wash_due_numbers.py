from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from agencies.models import Agency
from campaigns.models import BatchContact, Job
from compliance.models import WashResult
from compliance.rules import WASH_VALID_FOR
from compliance.washing import wash_directly
from voqo.providers.dncr import DncrUnavailable, get_dncr_client

OPEN_JOB_STATUSES = (Job.Status.PENDING, Job.Status.RUNNING, Job.Status.PAUSED)
# Washed again a few days before the 30 days run out, so a running job is never refused.
WASH_AGAIN_AFTER = WASH_VALID_FOR - timedelta(days=5)


class Command(BaseCommand):
    help = (
        "Wash the numbers of open telemarketing jobs whose Do Not Call Register wash is "
        "missing or due, through a washing service's API (VOQO_DNCR_CLIENT)."
    )

    def handle(self, *args, **options):
        client = get_dncr_client()
        if not client.washes_directly:
            self.stdout.write(
                "The washing client works through files: export each job's numbers and "
                "import the register's result on the job page."
            )
            return
        now = timezone.now()
        for agency in Agency.objects.filter(active=True).order_by("name"):
            phones = set(
                BatchContact.objects.filter(
                    upload__jobs__agency=agency,
                    upload__jobs__purpose="telemarketing",
                    upload__jobs__status__in=OPEN_JOB_STATUSES,
                ).values_list("phone", flat=True)
            )
            fresh = set(
                WashResult.objects.filter(
                    agency=agency, phone__in=phones, dncr_checked_at__gte=now - WASH_AGAIN_AFTER
                ).values_list("phone", flat=True)
            )
            due = sorted(phones - fresh)
            if not due:
                continue
            try:
                report = wash_directly(agency=agency, phones=due)
            except DncrUnavailable as error:
                self.stderr.write(f"{agency.name}: {error}")
                continue
            self.stdout.write(
                f"{agency.name}: washed {report.numbers:,} numbers "
                f"({report.registered:,} registered)"
            )
