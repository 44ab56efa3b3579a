"""`make bench`: Voqo's headline figures, each against a baseline from the same run.

  a. initiation webhook — p50/p99 at concurrency 4, req/s at 16 — vs a bare Django JSON view
  b. post-call webhook acknowledgement (15 KB signed body) — req/s and p99 — vs the bare view
  c. campaign CSV import of 100k rows — rows/s and peak memory — vs csv + phonenumbers parsing
  d. calls list (first, deep, filtered page) and dashboard at 1M calls — median/p95 ms, queries
  e. campaign dispatch against the fake provider at 300 ms latency — the dialler alone, calls/s
     vs cap ÷ latency; and the real path (post-call webhook → drain → worker), refill delay
  f. the search_listings tool over 5,000 listings — p99 through the function proxy
  j. scale-out (PostgreSQL + Redis only): 3 gunicorns, 2 qclusters, a 5,000-row campaign, cap 20

HTTP load comes from wrk (Debian's package) in a separate process against gunicorn on
127.0.0.1, bounded in time. Data (100k contacts, 500k memories, 1M calls) is generated once
and cached in bench/.cache. Absolute numbers depend on the machine; the ratios are the point.
Usage: make bench [BENCH_ARGS="--only a,b --seconds 5"]
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".cache"
PYTHON = sys.executable

WEBHOOK_SECRET = "bench-webhook-secret"
INITIATION_TOKEN = "bench-initiation-token"
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "VOQO_PROVIDER": "sandbox",
    "ELEVENLABS_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "ELEVENLABS_INITIATION_TOKEN": INITIATION_TOKEN,
    "DEBUG": "false",
    "SECRET_KEY": "bench-" + "k" * 50,
    "FIELD_ENCRYPTION_KEYS": "hT8pWUKUQpH8h6zm1OpAT9sWJkEhTYwqqkJXKoTgHeA=",
    "CONN_MAX_AGE": "600",
}

Row = tuple[str, str, str, str, str]  # figure, value, baseline, ratio, note
ROWS: list[Row] = []


def row(figure: str, value: str, baseline: str = "", ratio: str = "", note: str = "") -> None:
    ROWS.append((figure, value, baseline, ratio, note))
    print(
        f"  {figure}: {value}" + (f" (baseline {baseline}, ratio {ratio})" if baseline else ""),
        flush=True,
    )


def print_table() -> None:
    headers = ("figure", "value", "baseline", "ratio", "goal / note")
    widths = [max(len(str(r[i])) for r in [headers, *ROWS]) for i in range(5)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print("\n" + line + "\n" + "-" * len(line))
    for r in ROWS:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


# -- setup -------------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("Installing wrk from Debian's packages…", flush=True)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )


def ensure_database() -> Path:
    """The cached 1M-call database, built in a child process on first use."""
    from bench import data

    CACHE.mkdir(parents=True, exist_ok=True)
    path = data.database_path()
    if path.exists():
        print(f"Using cached data {path.name}", flush=True)
        return path
    for stale in CACHE.glob("bench-*.db*"):
        stale.unlink()
    building = path.with_suffix(".building")
    for leftover in CACHE.glob(building.name + "*"):
        leftover.unlink()
    print("Building benchmark data (100k contacts, 500k memories, 1M calls)…", flush=True)
    started = time.perf_counter()
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"sqlite:///{building}"}
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from bench import data; "
            f"data.build(__import__('pathlib').Path({str(building)!r}))",
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    building.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database: Path, workers: int = 3):
    port = free_port()
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"sqlite:///{database}"}
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "voqo.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/health", timeout=1)
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


# -- wrk -------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(url: str, script: Path, *, connections: int, seconds: int) -> dict:
    """Run wrk; return req/s, p50/p99 ms and the count of non-2xx answers."""
    threads = min(2, connections)
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
    }


def initiation_script(path: str) -> Path:
    from bench import data

    # 80% known callers spread over the whole contacts table, 20% unknown numbers.
    phones = [data.contact_phone((n * 7919) % data.CONTACTS) for n in range(800)]
    phones += [f"+6149{n:07d}" for n in range(200)]
    script = CACHE / f"initiation-{path.strip('/').replace('/', '-')}.lua"
    script.write_text(
        "local phones = {" + ",".join(f'"{p}"' for p in phones) + "}\n"
        "local i = 0\n"
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {INITIATION_TOKEN}"\n'
        "request = function()\n"
        "  i = i + 1\n"
        '  local body = string.format(\'{"caller_id": "%s", "agent_id": "agent_bench0", '
        '"called_number": "+61280001234", "call_sid": "CA%d"}\', '
        "phones[(i % #phones) + 1], i)\n"
        f'  return wrk.format(nil, "{path}", nil, body)\n'
        "end\n"
    )
    return script


def post_call_bodies(count: int) -> Path:
    """`count` distinct signed 15 KB post-call events, one request per two lines."""
    target = CACHE / f"post-call-{count}.txt"
    base = json.loads(
        (ROOT / "tests/fakeprovider/payloads/post_call_transcription__inbound.json").read_text()
    )
    turns = base["data"]["transcript"]
    while len(json.dumps(base)) < 15_000:
        turns.append(
            {
                "role": "user",
                "message": "We're also keen to see anything in Bronte "
                "or Tamarama with three bedrooms and a courtyard, ideally north facing.",
                "time_in_call_secs": len(turns) * 5,
            }
        )
    stamp = str(int(time.time()))
    run = hashlib.sha256(stamp.encode()).hexdigest()[:8]
    with target.open("w") as handle:
        for n in range(count):
            base["data"]["conversation_id"] = f"conv_benchack_{run}_{n:07d}"
            body = json.dumps(base, separators=(",", ":"))
            digest = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.{body}".encode(), hashlib.sha256)
            handle.write(f"t={stamp},v0={digest.hexdigest()}\n{body}\n")
    return target


def post_call_script(path: str, bodies: Path) -> Path:
    script = CACHE / f"post-call-{path.strip('/').replace('/', '-')}.lua"
    script.write_text(
        "local sigs, bodies = {}, {}\n"
        "local counter, thread_id, threads = 0, 0, 2\n"
        f'local file = io.open("{bodies}", "r")\n'
        "while true do\n"
        "  local sig = file:read('*l'); if not sig then break end\n"
        "  sigs[#sigs + 1] = sig; bodies[#bodies + 1] = file:read('*l')\n"
        "end\n"
        "file:close()\n"
        "local next_id = 0\n"
        "function setup(thread) thread:set('thread_id', next_id); next_id = next_id + 1 end\n"
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n"
        "  local n = (counter * threads + thread_id) % #bodies + 1\n"
        "  counter = counter + 1\n"
        f'  return wrk.format(nil, "{path}", {{["ElevenLabs-Signature"] = sigs[n]}}, '
        "bodies[n])\n"
        "end\n"
    )
    return script


ROUNDS = 3


def paired(measure_baseline, measure_voqo, rounds: int = ROUNDS) -> tuple[dict, dict]:
    """Measure baseline and Voqo alternately `rounds` times; the median of every figure.

    On a shared machine the speed drifts from minute to minute; alternating the two and
    taking medians keeps that drift out of the ratio.
    """
    results: tuple[list, list] = ([], [])
    for _ in range(rounds):
        results[0].append(measure_baseline())
        results[1].append(measure_voqo())
    return tuple(  # type: ignore[return-value]
        {
            key: statistics.median(run[key] for run in runs)
            for key in runs[0]
            if isinstance(runs[0][key], int | float)
        }
        for runs in results
    )


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


# -- a, b: webhooks under load --------------------------------------------------------------


def bench_webhooks(database: Path, seconds: int, sections: set[str]) -> None:
    with gunicorn(database) as url:
        # Warm every worker's persistent connection and caches.
        warm = initiation_script("/webhooks/elevenlabs/initiation")
        wrk(url, warm, connections=4, seconds=2)
        if "a" in sections:
            print("a. initiation webhook", flush=True)
            bare = initiation_script("/bench/bare")
            bare4, app4 = paired(
                lambda: wrk(url, bare, connections=4, seconds=seconds),
                lambda: wrk(url, warm, connections=4, seconds=seconds),
            )
            bare16, app16 = paired(
                lambda: wrk(url, bare, connections=16, seconds=seconds),
                lambda: wrk(url, warm, connections=16, seconds=seconds),
            )
            errors = app4["errors"] + app16["errors"]
            row(
                "a. initiation p50 @c4",
                f"{app4['p50']:.2f} ms",
                f"{bare4['p50']:.2f} ms",
                ratio(app4["p50"], bare4["p50"]),
            )
            row(
                "a. initiation p99 @c4",
                f"{app4['p99']:.2f} ms",
                f"{bare4['p99']:.2f} ms",
                ratio(app4["p99"], bare4["p99"]),
                "goal < 15 ms",
            )
            row(
                "a. initiation req/s @c16",
                f"{app16['rps']:,.0f}",
                f"{bare16['rps']:,.0f}",
                ratio(app16["rps"], bare16["rps"]),
                f"goal >= 0.5x; non-2xx: {errors}",
            )
        if "b" in sections:
            print("b. post-call acknowledgement", flush=True)
            bodies = post_call_bodies(max(4000, seconds * 2500))
            bare_script = post_call_script("/bench/bare", bodies)
            app_script = post_call_script("/webhooks/elevenlabs/post-call", bodies)
            bare, app = paired(
                lambda: wrk(url, bare_script, connections=16, seconds=seconds),
                lambda: wrk(url, app_script, connections=16, seconds=seconds),
            )
            row(
                "b. post-call ack req/s @c16",
                f"{app['rps']:,.0f}",
                f"{bare['rps']:,.0f}",
                ratio(app["rps"], bare["rps"]),
                f"goal >= 0.5x; non-2xx: {app['errors']}",
            )
            row(
                "b. post-call ack p99 @c16",
                f"{app['p99']:.2f} ms",
                f"{bare['p99']:.2f} ms",
                ratio(app["p99"], bare["p99"]),
                "15 KB signed body",
            )
    _forget_acknowledged_events(database)


def _forget_acknowledged_events(database: Path) -> None:
    """Keep the cached database the same size run after run."""
    import sqlite3

    conn = sqlite3.connect(database)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table in ("webhook_events", "django_q_ormq", "django_q_task"):
        if table in tables:
            conn.execute(f'DELETE FROM "{table}"')
    conn.commit()
    conn.close()


# -- c: CSV import ---------------------------------------------------------------------

IMPORT_CHILD = r"""
import json, sys, time
mode, path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "baseline":
    import csv, phonenumbers
    started = time.perf_counter()
    count = 0
    with open(path, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            phonenumbers.parse(record["phone"], "AU")
            count += 1
else:
    import django
    django.setup()
    from bench.importer import run_import
    started = time.perf_counter()
    count = run_import(path)
elapsed = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
status = open("/proc/self/status").read()
peak_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"rows": count, "seconds": elapsed, "peak_mb": peak_mb}))
"""


def campaign_csv(rows: int) -> Path:
    """A campaign upload as agencies send them: mobiles in mixed formats, ~1% bad numbers."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"upload-v2-{rows}.csv"
    if not path.exists():
        with path.open("w", encoding="utf-8") as handle:
            handle.write("name,phone,property_address,open_home_time\n")
            for n in range(rows):
                digits = f"{n % 4}{n // 4:07d}"
                if n % 100 == 99:
                    phone = f"12{n}"  # not a phone number: reported with its line
                elif n % 2:
                    phone = f"04{digits[:2]} {digits[2:5]} {digits[5:]}"
                else:
                    phone = f"+61 4{digits}"
                handle.write(f'Buyer {n},{phone},"{n % 200} Ocean Street, Bondi",Sat 10:00\n')
    return path


def import_child(mode: str, csv_path: Path, rows: int, database: Path) -> dict:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"sqlite:///{database}"}
    output = subprocess.run(
        [PYTHON, "-c", IMPORT_CHILD, mode, str(csv_path), str(rows)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise RuntimeError(output.stderr.strip().splitlines()[-1])
    return json.loads(output.stdout.strip().splitlines()[-1])


def empty_database() -> Path:
    """A migrated database with no rows, for imports that should not grow the big one."""
    from bench import data

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"empty-{data.schema_key()}.db"
    if not path.exists():
        env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"sqlite:///{path}"}
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    scratch = CACHE / "import-scratch.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    shutil.copy(path, scratch)
    return scratch


def bench_import() -> None:
    print("c. campaign CSV import", flush=True)
    big, small = campaign_csv(100_000), campaign_csv(10_000)
    baseline, voqo = paired(
        lambda: import_child("baseline", big, 100_000, empty_database()),
        lambda: import_child("voqo", big, 100_000, empty_database()),
    )
    voqo_small = import_child("voqo", small, 10_000, empty_database())
    rate, base_rate = voqo["rows"] / voqo["seconds"], baseline["rows"] / baseline["seconds"]
    row(
        "c. import 100k rows, rows/s",
        f"{rate:,.0f}",
        f"{base_rate:,.0f}",
        ratio(rate, base_rate),
        f"goal >= 0.5x; {voqo['rows']:,} rows stored",
    )
    row(
        "c. import peak RSS 100k vs 10k",
        f"{voqo['peak_mb']:.0f} MB",
        f"{voqo_small['peak_mb']:.0f} MB",
        ratio(voqo["peak_mb"], voqo_small["peak_mb"]),
        f"flat: ~1.0x for 10x the rows (plain parse: {baseline['peak_mb']:.0f} MB)",
    )


# -- d: pages at 1M calls ----------------------------------------------------------------

PAGES_CHILD = r"""
import json, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from calls.models import Call
from calls.selectors import encode_cursor
repeats = int(sys.argv[1])
client = Client()
client.login(username="bench", password="bench-password-123")
middle = Call.objects.order_by("-created_at", "-id")[Call.objects.count() // 2]
agent_id = Call.objects.exclude(agent=None).values_list("agent_id", flat=True).first()
pages = {
    "calls list, first page": "/calls/",
    "calls list, deep page": "/calls/?before=" + encode_cursor(middle),
    "calls list, filtered": f"/calls/?status=failed&direction=outbound&agent={agent_id}",
    "calls list, search": "/calls/?q=0410 000 123",
    "calls list, by outcome": "/calls/?outcome=appraisal_booked",
    "dashboard": "/",
}
results = {}
for name, url in pages.items():
    client.get(url)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    results[name] = {"median": statistics.median(times),
                     "p95": times[max(0, int(len(times) * 0.95) - 1)],
                     "queries": len(queries)}
print(json.dumps(results))
"""


def pages_child(database: Path, repeats: int) -> dict:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"sqlite:///{database}"}
    output = subprocess.run(
        [PYTHON, "-c", PAGES_CHILD, str(repeats)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if output.returncode:
        raise RuntimeError(output.stderr.strip()[-2000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def small_database() -> Path:
    """The empty schema plus a few calls: the query counts must match those at 1M."""
    path = empty_database()
    env = {
        **os.environ,
        **BENCH_ENV,
        "DATABASE_URL": f"sqlite:///{path}",
        "BENCH_CONTACTS": "50",
        "BENCH_CALLS": "200",
    }
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from bench import data; "
            f"data.build(__import__('pathlib').Path({str(path)!r}))",
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    return path


def bench_pages(database: Path, repeats: int) -> None:
    print("d. pages at 1M calls", flush=True)
    big = pages_child(database, repeats)
    small = pages_child(small_database(), 3)
    for name, figures in big.items():
        row(
            f"d. {name}",
            f"{figures['median']:.1f} ms (p95 {figures['p95']:.1f})",
            "150 ms",
            ratio(figures["p95"], 150.0),
            f"queries {figures['queries']} at 1M vs {small[name]['queries']} at 200 calls",
        )


# -- e: campaign dispatch --------------------------------------------------------------------

DISPATCH_CHILD = r"""
import json, sys, time
import django
django.setup()
from bench.dispatch import run_dispatch
print(json.dumps(run_dispatch(rows=int(sys.argv[1]), cap=int(sys.argv[2]),
                              latency=float(sys.argv[3]))))
"""


def bench_dispatch(rows: int = 160, cap: int = 4, latency: float = 0.3) -> None:
    print("e. campaign dispatch", flush=True)
    database = empty_database()
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"sqlite:///{database}"}
    output = subprocess.run(
        [PYTHON, "-c", DISPATCH_CHILD, str(rows), str(cap), str(latency)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise RuntimeError(output.stderr.strip()[-2000:])
    result = json.loads(output.stdout.strip().splitlines()[-1])
    ideal = cap / latency
    row(
        f"e. dispatch calls/s (cap {cap}, {latency * 1000:.0f} ms)",
        f"{result['calls_per_second']:.2f}",
        f"{ideal:.2f}",
        ratio(result["calls_per_second"], ideal),
        f"goal >= 0.9x; {result['dialled']} dialled",
    )
    row(
        "e. most calls in flight",
        str(result["max_in_flight"]),
        str(cap),
        ratio(result["max_in_flight"], cap),
        "never above the cap (<= 1.0x)",
    )


# -- f: search_listings -------------------------------------------------------------------

SEARCH_CHILD = r"""
import json, sys
import django
django.setup()
from bench.search import run_search
print(json.dumps(run_search(listings=int(sys.argv[1]), requests=int(sys.argv[2]))))
"""


def bench_search(listings: int = 5_000, requests: int = 2_000) -> None:
    print("f. search_listings tool", flush=True)
    database = empty_database()
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"sqlite:///{database}"}
    output = subprocess.run(
        [PYTHON, "-c", SEARCH_CHILD, str(listings), str(requests)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise RuntimeError(output.stderr.strip()[-2000:])
    result = json.loads(output.stdout.strip().splitlines()[-1])
    row(
        f"f. search_listings p99 ({result['listings']:,} listings)",
        f"{result['p99']:.1f} ms (p50 {result['p50']:.1f})",
        "20 ms",
        ratio(result["p99"], 20.0),
        f"goal <= 1.0x; bare view p99 {result['baseline_p99']:.1f} ms; "
        f"<= {result['max_results']} results",
    )


# -- main --------------------------------------------------------------------------------


def main() -> None:
    from bench import scaleout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="a,b,c,d,e,f,j", help="comma-separated sections")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per run")
    parser.add_argument("--repeats", type=int, default=20, help="page loads per page")
    args = parser.parse_args()
    sections = set(args.only.split(","))
    os.environ.update({k: v for k, v in BENCH_ENV.items() if k != "DJANGO_SETTINGS_MODULE"})

    database = ensure_database() if sections & {"a", "b", "d"} else None
    steps = []
    if sections & {"a", "b"}:
        ensure_wrk()
        steps.append(("a/b", lambda: bench_webhooks(database, args.seconds, sections)))
    if "c" in sections:
        steps.append(("c", bench_import))
    if "d" in sections:
        steps.append(("d", lambda: bench_pages(database, args.repeats)))
    if "e" in sections:
        steps.append(("e", bench_dispatch))
        steps.append(("e", lambda: scaleout.bench_real_path(row)))
    if "f" in sections:
        steps.append(("f", bench_search))
    if "j" in sections:
        steps.append(("j", lambda: scaleout.bench_scaleout(row)))
    for name, step in steps:
        try:
            step()
        except Exception as error:  # one broken figure must not hide the others
            row(f"{name}. (failed)", "n/a", note=f"{type(error).__name__}: {error}"[:160])
    print_table()


if __name__ == "__main__":
    main()
