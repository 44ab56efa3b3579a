"""A campaign end to end in the browser: upload, preview, create a job, run it in the
sandbox and watch the progress bar reach 100%.

The dialling runs in a real django-q2 worker (`manage.py qcluster`) on the test database,
as in production: the live server only enqueues; the worker dials, the sandbox posts its
webhooks back to the live server, and the post-call processing frees the next slot.
"""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

PROJECT_ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "name,phone,suburb\n"
    "Priya,0412 345 678,Bondi\n"
    "Liam,0412 345 679,Manly\n"
    "\n"
    "Bad row,12,Nowhere\n"
    "Olivia,0412 345 680,Coogee\n"
)


@pytest.fixture
def worker(live_server, settings, monkeypatch):
    """A qcluster process on this test's database; tasks are queued, not run inline."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    settings.PUBLIC_BASE_URL = live_server.url
    settings.SANDBOX_FAILURE_RATE = 0
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.campaigns.worker_settings",
        "WORKER_TEST_DATABASE": str(connection.settings_dict["NAME"]),
        "WORKER_PUBLIC_BASE_URL": live_server.url,
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_staff_upload_a_list_and_watch_the_job_finish(
    logged_in_page, live_server, worker, tmp_path
):
    from tests.factories import make_agent

    make_agent(name="Lisa", elevenlabs_agent_id="agent_sbx_lisa", sync_status="synced")
    page = logged_in_page
    csv_path = tmp_path / "open-homes.csv"
    csv_path.write_text(CSV, encoding="utf-8")

    page.goto(f"{live_server.url}/campaigns/")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Spring open homes")
    page.get_by_role("button", name="Save").click()

    page.get_by_label("CSV file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_test_id("valid-rows")).to_have_text("3")
    expect(page.get_by_text("is not a valid phone number")).to_be_visible()
    page.get_by_role("button", name="Import 3 contacts").click()
    expect(page.get_by_text("Imported 3 contacts")).to_be_visible()

    page.get_by_role("link", name="Create a job").click()
    page.get_by_label("Agent").select_option(label="Lisa")
    page.get_by_label("Retries", exact=True).fill("0")
    page.get_by_label("Calling window").select_option("anytime")
    page.get_by_role("button", name="Create job").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Pending")
    expect(page.get_by_test_id("job-purpose")).to_have_text("Telemarketing")

    # Telemarketing: the numbers are washed at the register first (its answer imported).
    with page.expect_download() as download:
        page.get_by_role("link", name="Export numbers to wash").click()
    wash_list = download.value.path().read_bytes().decode()
    assert wash_list == "0412345678\r\n0412345679\r\n0412345680\r\n"
    results_path = tmp_path / "wash-results.csv"
    results_path.write_text("".join(f"{n},N\n" for n in wash_list.split()), encoding="utf-8")
    page.get_by_role("link", name="Import the register's result").click()
    page.get_by_label("The register's result file").set_input_files(str(results_path))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported the register's answers for 3 numbers")).to_be_visible()
    expect(page.get_by_test_id("register-summary")).to_contain_text(
        "Of 3 numbers, 3 were washed in the last 30 days"
    )

    page.get_by_role("button", name="Run").click()
    progress = page.get_by_role("progressbar", name="Calls finished")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=20_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    expect(page.get_by_test_id("count-completed")).to_have_text("3")
    page.reload()  # the results table is not part of the polled partial
    expect(page.get_by_role("link", name="View call")).to_have_count(3)
    page.get_by_role("link", name="View call").first.click()
    expect(page).to_have_url(re.compile(r"/calls/[0-9a-f-]{36}/$"))
