"""Washing: the register's upload file from a job, its result file back, a service's API."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Job
from compliance.models import WashResult
from tests.campaigns.helpers import make_job, mobiles, wash_numbers
from tests.factories import default_agency, make_agency
from tests.fakeprovider.dncr import FakeDncrClient

pytestmark = pytest.mark.django_db


def import_results(client, content: bytes, *, checked_on=None, name="results.csv", next_url=""):
    checked_on = checked_on or timezone.localdate().isoformat()
    data = {"file": SimpleUploadedFile(name, content), "checked_on": checked_on}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("compliance:wash_import"), data)


def test_the_job_exports_its_numbers_one_national_number_per_line(staff_client):
    job = make_job(["+61412345678", "+61292000000", "+6421123456", "+61412345678"])

    response = staff_client.get(reverse("campaigns:job_wash_export", args=[job.id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    # National format, each number once; the register holds no foreign numbers.
    assert response.content.decode() == "0292000000\r\n0412345678\r\n"


def test_importing_the_result_stores_each_numbers_answer_and_check_time(staff_client):
    job = make_job(mobiles(3), washed=False)
    content = b"Number,Result\r\n0400000001,Y\r\n0400 000 002,N\r\n+61400000003,Not registered\r\n"

    response = import_results(staff_client, content, next_url=f"/campaigns/jobs/{job.id}/")

    assert response.status_code == 302 and response.url == f"/campaigns/jobs/{job.id}/"
    washes = {wash.phone: wash for wash in WashResult.objects.all()}
    assert {phone: wash.registered for phone, wash in washes.items()} == {
        "+61400000001": True,
        "+61400000002": False,
        "+61400000003": False,
    }
    assert all(wash.source == "results.csv" for wash in washes.values())
    page = staff_client.get(response.url).content.decode()
    assert "Of 3 numbers, 3 were washed in the last 30 days (1 registered" in page


def test_the_job_page_counts_fresh_stale_registered_and_never_washed_numbers(staff_client):
    job = make_job(mobiles(5), washed=False)
    wash_numbers(mobiles(2), agency=job.agency, registered={mobiles(1)[0]})
    long_ago = timezone.now() - timedelta(days=45)
    wash_numbers(
        mobiles(1, start=3),
        agency=job.agency,
        registered=set(mobiles(1, start=3)),
        checked_at=long_ago,
    )

    page = staff_client.get(reverse("campaigns:job", args=[job.id])).content.decode()

    assert (
        "Of 5 numbers, 2 were washed in the last 30 days (1 registered: called only with "
        "consent in force), 1 were washed longer ago and 2 were never washed." in page
    )


def test_an_older_result_file_never_replaces_a_newer_wash(staff_client):
    wash_numbers(mobiles(1), agency=default_agency(), registered=set(mobiles(1)))
    last_week = (timezone.localdate() - timedelta(days=7)).isoformat()

    import_results(staff_client, b"0400000001,N\n", checked_on=last_week)

    assert WashResult.objects.get().registered is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"0400000001,maybe\n", "line 1: the answer is “maybe”, not Y (registered)"),
        (b"0400000001,Y\nnot a phone,N\n", "line 2: “not a phone” is not a phone number"),
        (b"0400000001\n", "line 1: the answer is “nothing”"),
        (b"Number,Result\n", "The file has no results"),
        (b"PK\x03\x04xlsx", "This looks like an Excel (.xlsx) file."),
    ],
)
def test_a_result_file_voqo_cannot_read_imports_nothing_and_says_why(
    staff_client, content, message
):
    response = import_results(staff_client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WashResult.objects.exists()


def test_a_wash_date_in_the_future_is_refused(staff_client):
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = import_results(staff_client, b"0400000001,N\n", checked_on=tomorrow)
    assert "The wash date is in the future" in response.content.decode()
    assert not WashResult.objects.exists()


def test_a_wash_belongs_to_the_importing_agency_only(staff_client):
    import_results(staff_client, b"0400000001,N\n")
    assert set(WashResult.objects.values_list("agency", flat=True)) == {default_agency().pk}
    assert not WashResult.objects.filter(agency=make_agency()).exists()


def test_an_api_washing_service_washes_the_numbers_due(settings):
    settings.VOQO_DNCR_CLIENT = "tests.fakeprovider.dncr.FakeDncrClient"
    FakeDncrClient.registered = {"+61400000002"}
    FakeDncrClient.washed = []
    job = make_job(mobiles(3), washed=False, status=Job.Status.RUNNING)
    wash_numbers(mobiles(1), agency=job.agency)  # fresh: not washed again

    call_command("wash_due_numbers")

    assert FakeDncrClient.washed == [["+61400000002", "+61400000003"]]
    assert WashResult.objects.get(phone="+61400000002").registered
    assert WashResult.objects.get(phone="+61400000003").source == "Fake register"


def test_the_file_client_says_washing_goes_through_files(capsys):
    make_job(mobiles(1), washed=False)
    call_command("wash_due_numbers")
    assert "works through files" in capsys.readouterr().out
    assert not WashResult.objects.exists()
