"""The campaign upload path exactly as the confirm button runs it, for `make bench`."""

import secrets
import shutil
from pathlib import Path

from agencies.models import Agency
from campaigns import services
from campaigns.models import BatchContact, Campaign


def run_import(csv_path: str) -> int:
    """Store the file as an upload would, import it, and return the rows stored."""
    directory = services.PENDING_UPLOADS.directory
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    shutil.copyfile(csv_path, Path(directory) / f"{token}.csv")
    campaign = Campaign.objects.create(
        agency=Agency.objects.order_by("created_at").first(), name="Benchmark import"
    )
    upload = services.import_upload(campaign=campaign, token=token, filename="bench.csv")
    return BatchContact.objects.filter(upload=upload).count()
