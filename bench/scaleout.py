"""A campaign on a distributed stack: web processes, workers, one database, one broker.

`stack()` starts the fake provider (its calls end by themselves and send signed post-call
webhooks, round-robin, to the web processes' `/webhooks/elevenlabs/post-call`), gunicorns on
separate ports (as a load balancer spreads them) and `manage.py qcluster` workers, all on the
database and broker the caller names. `run_campaign()` then uploads a CSV, creates a job with
a concurrency cap, starts it through a web process and waits until every call's outcome is
recorded. `measure()` says what happened: dials, duplicates, most calls live at once, outcomes
recorded, calls/s and the delay between a call ending and its freed slot's next dial.

The figure "j. scale-out" (`make bench DB=postgres`) and tests/scale use it; figure e uses
it with one web process and one worker (the real post-call path before a slot is refilled).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_SECRET = "scale-out-webhook-secret"
PHONE_NUMBER_ID = "phnum_scaleout"
CALLER_ID = "+61280001234"
OUTBOUND_PATH = "/v1/convai/twilio/outbound-call"
POST_CALL_PATH = "/webhooks/elevenlabs/post-call"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """The URL of the database Django is connected to (every process must share it)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


@dataclass
class Stack:
    provider_url: str
    web_urls: list[str]
    log_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def provider_stats(self) -> dict:
        with urllib.request.urlopen(self.provider_url + "/__fake__/stats", timeout=30) as answer:
            return json.load(answer)

    def check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited; logs in {self.log_dir}")


def provider_settings(provider_url: str) -> dict[str, str]:
    """The provider settings every process of the stack (and the driver) uses."""
    from tests.fakeprovider.server import (
        DEFAULT_ELEVENLABS_API_KEY,
        DEFAULT_TWILIO_ACCOUNT_SID,
        DEFAULT_TWILIO_AUTH_TOKEN,
    )

    return {
        "VOQO_PROVIDER": "live",
        "ELEVENLABS_API_KEY": DEFAULT_ELEVENLABS_API_KEY,
        "ELEVENLABS_BASE_URL": provider_url,
        "ELEVENLABS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ELEVENLABS_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "TWILIO_ACCOUNT_SID": DEFAULT_TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEFAULT_TWILIO_AUTH_TOKEN,
        "TWILIO_PHONE_NUMBER": CALLER_ID,
        "TWILIO_BASE_URL": provider_url,
    }


@contextlib.contextmanager
def stack(
    *,
    database: str,
    redis: str = "",
    secret_key: str,
    encryption_keys: list[str],
    web: int = 3,
    workers: int = 2,
    call_seconds: float = 0.5,
    dial_latency: float = 0.0,
    web_ports: list[int] | None = None,
) -> Iterator[Stack]:
    """The fake provider, `web` gunicorns and `workers` qclusters on one database and broker.

    Production settings (voqo.settings) from the environment, as a deployment sets them: the
    same SECRET_KEY and FIELD_ENCRYPTION_KEYS everywhere, DATABASE_URL, REDIS_URL (the ORM
    broker on `database` without it).
    """
    ports = web_ports or [free_port() for _ in range(web)]
    web_urls = [f"http://127.0.0.1:{port}" for port in ports]
    log_dir = Path(tempfile.mkdtemp(prefix="voqo-scaleout-"))
    provider_args = [
        sys.executable,
        "-m",
        "tests.fakeprovider.server",
        "--call-seconds",
        str(call_seconds),
        "--webhook-secret",
        WEBHOOK_SECRET,
        *(arg for url in web_urls for arg in ("--webhook-url", url + POST_CALL_PATH)),
    ]
    if dial_latency:
        provider_args += ["--latency", f"POST:{OUTBOUND_PATH}:{dial_latency}"]
    provider = subprocess.Popen(
        provider_args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    provider_url = provider.stdout.readline().strip()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PYTEST", "Q_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="voqo.settings",
        DATABASE_URL=database,
        SECRET_KEY=secret_key,
        FIELD_ENCRYPTION_KEYS=",".join(encryption_keys),
        MEDIA_ROOT=str(log_dir / "media"),
        PUBLIC_BASE_URL=web_urls[0],
        LOG_LEVEL="WARNING",
        Q_WORKERS="2",
        WEB_CONCURRENCY="1",
        WEB_THREADS="8",
        CONN_MAX_AGE="600",
        **provider_settings(provider_url),
    )
    if redis:
        environment["REDIS_URL"] = redis
    result = Stack(provider_url=provider_url, web_urls=web_urls, log_dir=log_dir)
    try:
        for port in ports:
            result.processes.append(
                _start(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--config",
                        str(ROOT / "gunicorn.conf.py"),
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],
                    environment,
                    log_dir / f"web-{port}.log",
                )
            )
        for number in range(workers):
            result.processes.append(
                _start(
                    [sys.executable, "manage.py", "qcluster"],
                    environment,
                    log_dir / f"worker-{number}.log",
                )
            )
        for url in web_urls:
            _wait_for_web(url, result)
        yield result
    finally:
        for process in result.processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGINT)  # the master alone: it stops its children
        for process in result.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        provider.stdin.close()
        provider.wait(timeout=10)


def _start(command: list[str], environment: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for_web(url: str, stack: Stack) -> None:
    deadline = time.monotonic() + 90
    while True:
        stack.check_alive()
        try:
            with urllib.request.urlopen(url + "/health", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # answering (unhealthy until a worker has beaten is fine here)
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} never answered; logs in {stack.log_dir}") from None
            time.sleep(0.2)


# -- the campaign ---------------------------------------------------------------------------


def campaign_csv(rows: int) -> bytes:
    lines = ["phone,name"] + [f"+6141{n:07d},Buyer {n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def prepare_job(*, agency, rows: int, cap: int, provider_url: str):
    """An agent synced to the fake provider, a campaign with an uploaded CSV of `rows`
    numbers (washed against the Do Not Call Register today) and a pending job with `cap`."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings
    from django.utils import timezone

    from agents.models import Agent
    from agents.services import sync_agent
    from campaigns import services
    from campaigns.models import Campaign, Job
    from compliance.models import WashResult
    from voqo.bulk import insert_rows

    with override_settings(**provider_settings(provider_url)):
        agent = Agent.objects.create(
            agency=agency,
            name="Scale-out",
            system_prompt="You are {{agent_name}}.",
            greeting_message="Hi {{caller_name}}, it's {{agency_name}}.",
        )
        if not sync_agent(agent):
            raise RuntimeError(f"The agent did not sync: {agent.sync_error}")
        campaign = Campaign.objects.create(agency=agency, name=f"Scale-out {uuid.uuid4().hex[:6]}")
        token = services.store_pending_upload(
            SimpleUploadedFile("buyers.csv", campaign_csv(rows), content_type="text/csv")
        )
        upload = services.import_upload(campaign=campaign, token=token, filename="buyers.csv")
        insert_rows(
            WashResult,
            (
                {
                    "id": uuid.uuid4(),
                    "agency_id": agency.pk,
                    "phone": f"+6141{n:07d}",
                    "registered": False,
                    "dncr_checked_at": timezone.now(),
                    "source": "scale-out",
                }
                for n in range(rows)
            ),
        )
        job = services.create_job(
            campaign=campaign, upload=upload, agent=agent, concurrency_cap=cap, max_retries=0
        )
    # The fake provider is "live" to Voqo, where the form refuses "Any time": written
    # directly, so the campaign dials at any hour of the day.
    Job.objects.filter(pk=job.pk).update(calling_window=Job.CallingWindow.ANYTIME)
    return job


def start_job_over_http(job, web_url: str) -> None:
    """Press "Run" as a manager of the job's agency, on one of the web processes."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from agencies.models import Membership

    user = get_user_model().objects.create_user(
        username=f"scaleout-{uuid.uuid4().hex[:8]}", password=secrets.token_urlsafe(), is_staff=True
    )
    Membership.objects.create(user=user, agency=job.agency, role=Membership.Role.OWNER)
    client = Client()
    client.force_login(user)  # a session row in the shared database
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # an unmasked 32-character token, as the cookie holds
    request = urllib.request.Request(
        web_url + reverse("campaigns:job_run", args=[job.pk]),
        data=b"",
        method="POST",
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf,
        },
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise RuntimeError(f"Run answered {answer.code}: {answer.read()[:500]!r}") from None


def wait_until_done(job, stack: Stack, *, timeout: float) -> float:
    """Wait until no row of the job is pending or calling and every call placed has its
    outcome; return when (the monotonic clock). Rows moved to needs review (the dialler
    could not tell whether the provider dialled) wait for a person: measure() counts them."""
    from django.db.models import Count

    from calls.models import Call
    from campaigns.models import JobCall

    deadline = time.monotonic() + timeout
    while True:
        stack.check_alive()
        open_rows = JobCall.objects.filter(
            job=job, status__in=(JobCall.Status.PENDING, JobCall.Status.CALLING)
        ).exists()
        open_calls = (
            Call.objects.filter(job_calls__job=job, status=Call.Status.INITIATED)
            .exclude(job_calls__status=JobCall.Status.NEEDS_REVIEW)
            .exists()
        )
        if not open_rows and not open_calls:
            return time.monotonic()
        if time.monotonic() > deadline:
            counts = dict(
                JobCall.objects.filter(job=job).values_list("status").annotate(n=Count("pk"))
            )
            raise RuntimeError(f"The job did not finish in {timeout:.0f} s: {counts}")
        time.sleep(0.25)


def refill_delays(calls: list[dict], cap: int) -> list[float]:
    """For each call that ended, how long until the next dial took its slot (seconds).

    Slots are filled first come, first served: the first `cap` dials take the empty slots,
    every later dial the slot freed earliest and not yet refilled.
    """
    dials = sorted(call["dialled_at"] for call in calls)
    ends = sorted(call["ended_at"] for call in calls)
    return [dial - end for dial, end in zip(dials[cap:], ends, strict=False)]


def measure(job, stack: Stack, *, started: float, finished: float, cap: int) -> dict:
    """What the provider saw and what Voqo recorded."""
    from calls.models import Call, WebhookEvent
    from campaigns.models import JobCall

    stats = stack.provider_stats()
    calls = stats["ended_calls"]
    dialled = sum(1 for method, path in stats["requests"] if path == OUTBOUND_PATH)
    numbers = [call["to"] for call in calls]
    rows = JobCall.objects.filter(job=job)
    # The post-call data stored: the call completed with its summary and transcript.
    recorded = (
        Call.objects.filter(job_calls__job=job, status=Call.Status.COMPLETED)
        .exclude(summary="")
        .exclude(transcript=[])
    )
    conversation_ids = [call["conversation_id"] for call in calls]
    events_open = WebhookEvent.objects.filter(
        conversation_id__in=conversation_ids, processed_at__isnull=True
    ).count()
    delays = refill_delays(calls, cap)
    seconds = finished - started
    webhook_statuses: dict[str, int] = {}
    for call in calls:
        webhook_statuses[str(call["webhook_status"])] = (
            webhook_statuses.get(str(call["webhook_status"]), 0) + 1
        )
    return {
        "rows": rows.count(),
        "dialled": dialled,
        "duplicates": len(numbers) - len(set(numbers)),
        "max_live_calls": stats["max_live_calls"],
        "completed_rows": rows.filter(status=JobCall.Status.COMPLETED).count(),
        "needs_review_rows": rows.filter(status=JobCall.Status.NEEDS_REVIEW).count(),
        "outcomes_recorded": recorded.count(),
        "webhook_events_unprocessed": events_open,
        "webhooks_per_web": {
            url: sum(1 for call in calls if call["webhook_url"].startswith(url))
            for url in stack.web_urls
        },
        "webhook_statuses": webhook_statuses,
        "seconds": seconds,
        "calls_per_second": dialled / seconds if seconds else 0.0,
        "refill_median": statistics.median(delays) if delays else None,
        "refill_p95": statistics.quantiles(delays, n=20)[-1] if len(delays) > 1 else None,
    }


def run_campaign(
    *,
    agency,
    rows: int,
    cap: int,
    call_seconds: float,
    dial_latency: float = 0.0,
    web: int = 3,
    workers: int = 2,
    timeout: float = 600,
    web_ports: list[int] | None = None,
) -> dict:
    """The whole proof on the database Django is connected to; returns `measure()`'s dict
    plus the settings used."""
    from django.conf import settings
    from django.db import connection

    with stack(
        database=database_url(connection.settings_dict),
        redis=settings.REDIS_URL,
        secret_key=settings.SECRET_KEY,
        encryption_keys=list(settings.FIELD_ENCRYPTION_KEYS),
        web=web,
        workers=workers,
        call_seconds=call_seconds,
        dial_latency=dial_latency,
        web_ports=web_ports,
    ) as running:
        job = prepare_job(agency=agency, rows=rows, cap=cap, provider_url=running.provider_url)
        started = time.monotonic()
        start_job_over_http(job, running.web_urls[0])
        finished = wait_until_done(job, running, timeout=timeout)
        result = measure(job, running, started=started, finished=finished, cap=cap)
    result.update(
        cap=cap, call_seconds=call_seconds, dial_latency=dial_latency, web=web, workers=workers
    )
    return result


# -- `make bench`: figures j (scale-out) and e (the real path) -----------------------------

CHILD = r"""
import json, sys
import django
django.setup()
from agencies.models import Agency
from bench.scaleout import run_campaign
options = json.loads(sys.argv[1])
agency = Agency.objects.order_by("created_at").first()
print(json.dumps(run_campaign(agency=agency, **options)))
"""


def fresh_database(name: str) -> str:
    """A migrated, empty database for one figure: on the PostgreSQL server of DATABASE_URL
    when it names one (`make bench DB=postgres`), else a new SQLite file."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        import psycopg

        server, _, _ = base.rpartition("/")
        with psycopg.connect(server + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        url = f"{server}/{name}"
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='voqo-bench-')}/{name}.db"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    return url


def run_child(database: str, *, redis: str, **options) -> dict:
    """`run_campaign(**options)` in a process of its own, on `database`."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database,
    }
    environment.pop("REDIS_URL", None)
    if redis:
        environment["REDIS_URL"] = redis
    output = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(options)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise RuntimeError(output.stderr.strip()[-2000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def refill_text(result: dict) -> str:
    if result["refill_median"] is None:
        return "n/a"
    return f"{result['refill_median']:.2f} s (p95 {result['refill_p95']:.2f})"


def bench_scaleout(
    row, *, rows: int = 5_000, cap: int = 20, call_seconds: float = 1.0, latency: float = 0.3
) -> None:
    """j. three gunicorns and two qclusters on PostgreSQL + Redis run a 5,000-row campaign."""
    print("j. scale-out", flush=True)
    if not on_postgres() or not os.environ.get("REDIS_URL"):
        row("j. scale-out", "skipped", note="needs PostgreSQL + Redis: make bench DB=postgres")
        return
    result = run_child(
        fresh_database("voqo_bench_scaleout"),
        redis=os.environ["REDIS_URL"],
        rows=rows,
        cap=cap,
        call_seconds=call_seconds,
        dial_latency=latency,
        web=3,
        workers=2,
        timeout=3600,
    )
    ideal = cap / (latency + call_seconds)
    topology = f"3 web, 2 workers, cap {cap}, {rows:,} rows"
    row(
        f"j. scale-out calls/s ({topology})",
        f"{result['calls_per_second']:.2f}",
        f"{ideal:.2f}",
        f"{result['calls_per_second'] / ideal:.2f}x",
        f"ideal = cap / ({latency * 1000:.0f} ms dial + {call_seconds:.1f} s call); "
        f"wall {result['seconds']:.0f} s",
    )
    row("j. refill delay (call end -> next dial)", refill_text(result))
    row(
        "j. most calls live at once",
        str(result["max_live_calls"]),
        str(cap),
        f"{result['max_live_calls'] / cap:.2f}x",
        "never above the cap (<= 1.0x)",
    )
    row(
        "j. numbers dialled twice",
        str(result["duplicates"]),
        "0",
        note=f"{result['dialled']:,} dialled of {result['rows']:,} rows",
    )
    row(
        "j. outcomes recorded",
        f"{result['outcomes_recorded']:,}",
        f"{result['rows']:,}",
        note=f"{result['needs_review_rows']} rows need review; webhooks per web process "
        f"{sorted(result['webhooks_per_web'].values())}",
    )


def bench_real_path(
    row, *, rows: int = 160, cap: int = 5, latency: float = 0.3, call_seconds: float = 0.5
) -> None:
    """Figure e, the real path: webhook → drain → worker → dial, on the bench's database
    (SQLite and the ORM broker by default; PostgreSQL and Redis with `DB=postgres`)."""
    print("e. campaign dispatch, real post-call path", flush=True)
    postgres = on_postgres()
    result = run_child(
        fresh_database("voqo_bench_dispatch"),
        redis=os.environ.get("REDIS_URL", "") if postgres else "",
        rows=rows,
        cap=cap,
        call_seconds=call_seconds,
        dial_latency=latency,
        web=1,
        workers=1,
        timeout=1800,
    )
    ideal = cap / (latency + call_seconds)
    where = "PostgreSQL + Redis" if postgres else "SQLite + ORM broker"
    row(
        f"e. real path calls/s (cap {cap}, {latency * 1000:.0f} ms dial, "
        f"{call_seconds:.1f} s call)",
        f"{result['calls_per_second']:.2f}",
        f"{ideal:.2f}",
        f"{result['calls_per_second'] / ideal:.2f}x",
        f"ideal = cap / (dial + call); 1 gunicorn + 1 qcluster, {where}; "
        f"{result['dialled']} dialled, {result['duplicates']} twice",
    )
    row(
        "e. real path refill delay (call end -> next dial)",
        refill_text(result),
        note=f"most calls live at once {result['max_live_calls']} (cap {cap}); "
        f"outcomes recorded {result['outcomes_recorded']}/{result['rows']}, "
        f"{result['needs_review_rows']} need review",
    )
