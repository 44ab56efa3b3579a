"""Campaign dispatch against the fake provider with a fixed API latency, for `make bench`.

Two figures e:

- The real path (`bench.scaleout.bench_real_path`, run from bench/run.py without Django
  set up, so it lives there): a gunicorn and a qcluster on the bench database; the
  fake provider's calls end after a short time and send signed post-call webhooks to
  `/webhooks/elevenlabs/post-call`, so a freed slot is refilled only after the webhook, the
  drain and the worker's dispatch. Reported: calls/s against cap ÷ (dial latency + call
  length), and the refill delay (call end → next dial on the freed slot).
- The dialler alone (`run_dispatch`): the dialler runs as a worker would run it
  (dispatch_job, back to back) and each call ends as soon as its outbound-call request is
  answered (a stand-in applies the outcome through the real `call_finished` signal), so the
  figure is the dialler's own throughput: ideally cap ÷ latency. The fake server counts
  outbound-call requests in flight.
"""

import json
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager

from django.test import override_settings
from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from agents.services import sync_agent
from calls.models import Call
from calls.signals import call_finished
from campaigns import engine, services
from campaigns.models import BatchContact, Campaign, Job, JobCall, Upload
from compliance.models import WashResult
from tests.fakeprovider.server import (
    DEFAULT_ELEVENLABS_API_KEY,
    DEFAULT_TWILIO_ACCOUNT_SID,
    DEFAULT_TWILIO_AUTH_TOKEN,
    STATS_PATH,
)
from voqo.bulk import insert_rows

OUTBOUND_PATH = "/v1/convai/twilio/outbound-call"


def end_calls_until_stdin_closes() -> None:
    """The webhook side of the benchmark, run in its own process."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    _end_answered_calls()  # connected and warm: the clock may start
    print("ready", flush=True)
    while not stop.is_set():
        # Webhooks are pushed as calls end; a 0.5 ms poll stands in for that push.
        if not _end_answered_calls():
            time.sleep(0.0005)


def _end_answered_calls() -> int:
    """Finish every call the provider accepted, as its post-call webhook would."""
    answered = list(
        Call.objects.filter(status=Call.Status.INITIATED).exclude(elevenlabs_conversation_id=None)
    )
    for call in answered:
        Call.objects.filter(pk=call.pk).update(
            status=Call.Status.COMPLETED, duration=1, ended_at=timezone.now()
        )
        call.status = Call.Status.COMPLETED
        call_finished.send(sender=Call, call=call)
    return len(answered)


@contextmanager
def fake_provider_process(latency: float | None = None):
    """The fake provider in its own process, as a real provider is: it must not share the
    dialler's interpreter (and GIL). `latency`: seconds before it answers an outbound call."""
    command = [sys.executable, "-m", "tests.fakeprovider.server"]
    if latency is not None:
        command += ["--latency", f"POST:{OUTBOUND_PATH}:{latency}"]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        process.wait(timeout=10)


def fake_provider_settings(url: str) -> dict[str, str]:
    """Live mode with the official SDKs pointed at the fake provider at `url`."""
    return {
        "VOQO_PROVIDER": "live",
        "ELEVENLABS_API_KEY": DEFAULT_ELEVENLABS_API_KEY,
        "ELEVENLABS_BASE_URL": url,
        "ELEVENLABS_PHONE_NUMBER_ID": "phnum_bench",
        "TWILIO_ACCOUNT_SID": DEFAULT_TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEFAULT_TWILIO_AUTH_TOKEN,
        "TWILIO_PHONE_NUMBER": "+61280001234",
        "TWILIO_BASE_URL": url,
    }


def run_dispatch(*, rows: int, cap: int, latency: float) -> dict:
    with (
        fake_provider_process(latency) as url,
        override_settings(**fake_provider_settings(url)),
    ):
        agent = Agent.objects.create(
            agency=Agency.objects.order_by("created_at").first(),
            name="Bench",
            system_prompt="You are {{agent_name}}.",
            greeting_message="Hi {{caller_name}}, it's {{agency_name}}.",
        )
        assert sync_agent(agent), agent.sync_error
        campaign = Campaign.objects.create(
            agency=Agency.objects.order_by("created_at").first(), name="Dispatch benchmark"
        )
        upload = Upload.objects.create(campaign=campaign, filename="bench.csv", total_rows=rows)
        insert_rows(
            BatchContact,
            (
                {
                    "id": uuid.uuid4(),
                    "agency_id": upload.agency_id,
                    "upload_id": upload.pk,
                    "phone": f"+6141{n:07d}",
                    "name": f"Buyer {n}",
                    "line_number": n + 2,
                }
                for n in range(rows)
            ),
        )
        # Washed today and not registered: each claim runs the register check, as in use.
        insert_rows(
            WashResult,
            (
                {
                    "id": uuid.uuid4(),
                    "agency_id": upload.agency_id,
                    "phone": f"+6141{n:07d}",
                    "registered": False,
                    "dncr_checked_at": timezone.now(),
                    "source": "bench",
                }
                for n in range(rows)
            ),
        )
        job = services.create_job(
            campaign=campaign,
            upload=upload,
            agent=agent,
            concurrency_cap=cap,
            max_retries=0,
        )
        # The fake provider is "live" to Voqo, where the model refuses "Any time": written
        # directly, so the benchmark measures dialling at any hour of the day.
        Job.objects.filter(pk=job.pk).update(calling_window=Job.CallingWindow.ANYTIME)
        job.refresh_from_db()
        services.run_job(job)
        # Post-call webhooks arrive at web workers while the dialler works: a second process
        # ends answered calls (through the real call_finished receiver), as they would.
        webhooks = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); "
                "from bench.dispatch import end_calls_until_stdin_closes as run; run()",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        # The clock starts once it ends calls: its start-up (~0.2 s) held the first calls'
        # slots beyond their dial, 1.5% of the figure.
        assert webhooks.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        open_rows = JobCall.objects.filter(
            job=job, status__in=[JobCall.Status.PENDING, JobCall.Status.CALLING]
        )
        while open_rows.exists():
            engine.dispatch_job(job.pk)
        elapsed = time.perf_counter() - started
        webhooks.stdin.close()
        webhooks.wait(timeout=10)
        with urllib.request.urlopen(url + STATS_PATH) as response:
            stats = json.load(response)
        dialled = sum(1 for method, path in stats["requests"] if path == OUTBOUND_PATH)
        return {
            "calls_per_second": dialled / elapsed,
            "dialled": dialled,
            "max_in_flight": stats["max_in_flight"].get(OUTBOUND_PATH, 0),
            "seconds": elapsed,
        }
