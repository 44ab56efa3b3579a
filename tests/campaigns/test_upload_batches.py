"""A big import's batches, committed outside any transaction: on PostgreSQL each batch's
COMMIT goes over a connection of its own while the next batch is read (voqo.bulk)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection

from campaigns import csv_upload, services
from campaigns.csv_upload import UploadRefused
from campaigns.models import BatchContact, Campaign, Upload
from tests.factories import default_agency
from voqo.bulk import new_uuid4s, stored, stored_batches

pytestmark = pytest.mark.django_db(transaction=True)

TRICKY = ['Say "hi" \\ 100% off', "Zoë · 日本 · 🏠", "tab\there", "line one\nline two", ""]


@pytest.fixture
def campaign(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return Campaign.objects.create(agency=default_agency(), name="Spring open homes")


def pending_csv(rows: int) -> str:
    lines = ["phone,note"] + [
        f'04{n:08d},"{TRICKY[n % len(TRICKY)].replace(chr(34), chr(34) * 2)}"'
        for n in range(1, rows + 1)
    ]
    body = ("\n".join(lines) + "\n").encode()
    return services.store_pending_upload(SimpleUploadedFile("list.csv", body))


def open_connections() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_every_batch_is_stored_with_every_character_and_no_connection_is_left_open(
    campaign, monkeypatch
):
    monkeypatch.setattr(services, "INSERT_BATCH", 7)
    token = pending_csv(50)
    connections_before = open_connections()

    upload = services.import_upload(campaign=campaign, token=token, filename="list.csv")

    stored_rows = list(BatchContact.objects.filter(upload=upload).order_by("line_number"))
    assert upload.total_rows == 50 and len(stored_rows) == 50
    assert [row.phone for row in stored_rows] == [f"+614{n:08d}" for n in range(1, 51)]
    assert [row.variables["note"] for row in stored_rows] == [
        TRICKY[n % len(TRICKY)] for n in range(1, 51)
    ]
    assert open_connections() == connections_before


def test_a_refusal_part_way_leaves_neither_the_upload_nor_its_committed_batches(
    campaign, monkeypatch
):
    monkeypatch.setattr(services, "INSERT_BATCH", 7)
    token = pending_csv(30)
    monkeypatch.setattr(csv_upload, "MAX_ROWS", 20)  # the file grew past the limit

    with pytest.raises(UploadRefused, match="more than 20 rows"):
        services.import_upload(campaign=campaign, token=token, filename="list.csv")

    assert not Upload.objects.exists()
    assert not BatchContact.objects.exists()


def test_a_batch_that_cannot_commit_raises_and_the_batches_before_it_stay(campaign):
    upload = Upload.objects.create(agency=campaign.agency, campaign=campaign, filename="a.csv")
    columns = ("id", "agency_id", "upload_id", "phone", "name", "variables", "line_number",
               "region", "state", "created_at")  # fmt: skip
    created_at = stored(BatchContact, "created_at", upload.created_at)

    def rows(upload_id: str, first_line: int) -> list[tuple]:
        return [
            (
                pk,
                campaign.agency_id.hex,
                upload_id,
                f"+6141200{line:04d}",
                "",
                "{}",
                line,
                "AU",
                "",
                created_at,
            )  # fmt: skip
            for line, pk in enumerate(new_uuid4s(3), start=first_line)
        ]

    with pytest.raises(IntegrityError):
        with stored_batches(BatchContact, columns) as insert:
            insert(rows(upload.pk.hex, 1))
            insert(rows("0" * 32, 4))  # no such upload: PostgreSQL says so at COMMIT

    assert sorted(BatchContact.objects.values_list("line_number", flat=True)) == [1, 2, 3]
