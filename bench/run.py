"""`make bench`: Voqo's headline figures, each against a baseline or goal from the same run.

  a. initiation webhook — p50/p99 at concurrency 4, req/s at 16 — vs a bare Django JSON view
  b. post-call webhook acknowledgement (15 KB signed body) — req/s and p99 — vs the bare view
  c. campaign CSV import of 100k rows — rows/s and peak memory — vs csv + phonenumbers parsing
  d. every list, detail and dashboard page at 1M calls — median/p95 ms, query counts vs a
     small database
  e. campaign dispatch against the fake provider at 300 ms latency — the dialler alone, calls/s
     vs cap ÷ latency; and the real path (post-call webhook → drain → worker), refill delay
  f. the search_listings tool over 5,000 listings — p99 through the function proxy
  g. the REST API's calls and contacts lists and phone lookup — median/p95 ms
  h. outgoing webhook deliveries per second in one worker process to a loopback receiver
  i. scheduled-call lateness p99: due time to dial, against the fake provider
  j. scale-out (PostgreSQL + Redis only): 3 gunicorns, 2 qclusters, a 5,000-row campaign, cap 20

HTTP load comes from wrk (Debian's package) in a separate process against gunicorn on
127.0.0.1, bounded in time. Data (50 agencies; the big one the figures measure holds 100k
contacts, 500k memories, 1M calls) is generated once and cached in bench/.cache: a SQLite
file, or with --db postgres a pg_dump file restored into the PostgreSQL server DATABASE_URL
names (make bench DB=postgres starts one, and Redis, on loopback). Absolute numbers depend
on the machine; the ratios are the point.
Usage: make bench [DB=postgres] [BENCH_ARGS="--only a,b --seconds 5"]
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
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".cache"

from bench import data, scaleout  # noqa: E402  (after the path is set)

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

VOICE_NOTE = f"{data.VOICE_MAPPINGS:,} voice mappings (10% of callers mapped)"
Row = tuple[str, str, str, str, str, str]  # figure, value, baseline, ratio, goal, note
ROWS: list[Row] = []
# Issue 23's goals that are ratios to a baseline, by the start of the figure's name: the
# goal column says met or missed from the row's ratio (rows may also pass `goal=` directly).
RATIO_GOALS = {
    "a. initiation req/s @c16": (">=", 0.8),
    "b. post-call ack req/s": (">=", 0.7),
    "c. import 100k rows, rows/s": (">=", 0.8),
    "c. import peak RSS": ("<=", 1.2),
    "e. dispatch calls/s": (">=", 0.95),
    "e. most calls in flight": ("<=", 1.0),
}


def met(ok: bool, goal: str) -> str:
    return f"{'met' if ok else 'MISSED'}: {goal}"


def _ratio_goal(figure: str, ratio_text: str) -> str:
    for start, (sense, target) in RATIO_GOALS.items():
        if figure.startswith(start):
            try:
                value = float(ratio_text.rstrip("x"))
            except ValueError:
                return f"n/a: {sense} {target}x"
            ok = value >= target if sense == ">=" else value <= target
            return met(ok, f"{sense} {target}x")
    return ""


def row(
    figure: str,
    value: str,
    baseline: str = "",
    ratio: str = "",
    note: str = "",
    *,
    goal: str = "",
) -> None:
    goal = goal or _ratio_goal(figure, ratio)
    ROWS.append((figure, value, baseline, ratio, goal, note))
    print(
        f"  {figure}: {value}"
        + (f" (baseline {baseline}, ratio {ratio})" if baseline else "")
        + (f" [{goal}]" if goal else ""),
        flush=True,
    )


def print_table() -> None:
    headers = ("figure", "value", "baseline", "ratio", "goal", "note")
    widths = [max(len(str(r[i])) for r in [headers, *ROWS]) for i in range(len(headers))]
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


def child_env(database: str, **extra: str) -> dict:
    """The environment of a child process working on `database` (a DATABASE_URL)."""
    return {**os.environ, **BENCH_ENV, "DATABASE_URL": database, **extra}


BUILD = "import django; django.setup(); from bench import data; data.build()"


class SqliteDatabases:
    """The benchmark's databases as SQLite files in bench/.cache (the default mode)."""

    name = "SQLite"

    def big(self) -> str:
        """The cached 1M-call database, built in a child process on first use."""
        from bench import data

        CACHE.mkdir(parents=True, exist_ok=True)
        path = data.database_path()
        if path.exists():
            print(f"Using cached data {path.name}", flush=True)
            return f"sqlite:///{path}"
        for stale in CACHE.glob("bench-*.db*"):
            stale.unlink()
        building = path.with_suffix(".building")
        for leftover in CACHE.glob(building.name + "*"):
            leftover.unlink()
        print(f"Building benchmark data ({DATA_LABEL})…", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, "-c", BUILD], check=True, env=child_env(f"sqlite:///{building}"), cwd=ROOT
        )
        building.rename(path)
        for suffix in ("-wal", "-shm"):
            Path(str(building) + suffix).unlink(missing_ok=True)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        return f"sqlite:///{path}"

    def empty(self) -> str:
        """A migrated database with no rows, fresh for each use."""
        from bench import data

        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"empty-{data.schema_key()}.db"
        if not path.exists():
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "-v0"],
                env=child_env(f"sqlite:///{path}"),
                cwd=ROOT,
                check=True,
            )
        scratch = CACHE / "import-scratch.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        shutil.copy(path, scratch)
        return f"sqlite:///{scratch}"

    def small(self) -> str:
        """The same data at a tiny scale: query counts must match those at 1M calls."""
        from bench import data

        path = CACHE / f"small-{data.schema_key()}.db"
        if not path.exists():
            building = self.empty().removeprefix("sqlite:///")
            subprocess.run(
                [PYTHON, "-c", BUILD],
                env=child_env(f"sqlite:///{building}", BENCH_SCALE=SMALL_SCALE),
                cwd=ROOT,
                check=True,
            )
            shutil.move(building, path)
        return f"sqlite:///{path}"

    def forget_acknowledged_events(self, database: str) -> None:
        """Keep the cached database the same size run after run."""
        import sqlite3

        conn = sqlite3.connect(database.removeprefix("sqlite:///"))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in FORGOTTEN_TABLES:
            if table in tables:
                conn.execute(f'DELETE FROM "{table}"')
        conn.commit()
        conn.close()


class PostgresDatabases:
    """The benchmark's databases in the PostgreSQL server DATABASE_URL points at (started on
    loopback by .ci/with-postgres): the big one restored from a cached dump, the others
    copied from a migrated template."""

    name = "PostgreSQL"

    def __init__(self, url: str) -> None:
        self.server = url.rsplit("/", 1)[0]
        self.made: set[str] = set()
        self.bin = (
            os.environ.get("PG_BIN")
            or sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[
                -1
            ].as_posix()
        )

    def url(self, name: str) -> str:
        return f"{self.server}/{name}"

    def admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def create(self, name: str, template: str = "template0") -> str:
        self.admin(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        )
        return self.url(name)

    def big(self) -> str:
        from bench import data

        if "bench_big" in self.made:
            return self.url("bench_big")
        CACHE.mkdir(parents=True, exist_ok=True)
        dump = data.dump_path()
        url = self.create("bench_big")
        started = time.perf_counter()
        if dump.exists():
            print(f"Restoring cached data {dump.name} (pg_restore -j2)…", flush=True)
            subprocess.run(
                [f"{self.bin}/pg_restore", "-j2", "--no-owner", "-d", url, str(dump)], check=True
            )
            self.admin_on("bench_big", "VACUUM ANALYZE")
            print(f"  restored in {time.perf_counter() - started:.0f} s", flush=True)
        else:
            for stale in CACHE.glob("bench-*.pgdump"):
                stale.unlink()
            print(f"Building benchmark data on PostgreSQL ({DATA_LABEL}, COPY)…", flush=True)
            subprocess.run([PYTHON, "-c", BUILD], check=True, env=child_env(url), cwd=ROOT)
            print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
            subprocess.run(
                [f"{self.bin}/pg_dump", "-Fc", "-Z1", "-f", f"{dump}.building", url], check=True
            )
            Path(f"{dump}.building").rename(dump)
        self.made.add("bench_big")
        return url

    def admin_on(self, name: str, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(name), autocommit=True) as conn:
            conn.execute(statement)

    def empty(self) -> str:
        if "bench_empty" not in self.made:
            url = self.create("bench_empty")
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "-v0"], env=child_env(url), cwd=ROOT, check=True
            )
            self.made.add("bench_empty")
        return self.create("bench_scratch", template="bench_empty")

    def small(self) -> str:
        if "bench_small" not in self.made:
            self.empty()
            url = self.create("bench_small", template="bench_empty")
            subprocess.run(
                [PYTHON, "-c", BUILD],
                env=child_env(url, BENCH_SCALE=SMALL_SCALE),
                cwd=ROOT,
                check=True,
            )
            self.made.add("bench_small")
        return self.url("bench_small")

    def forget_acknowledged_events(self, database: str) -> None:
        """The big database is restored each run; nothing to keep small."""


# The small database for figure d's query counts: 50 contacts and 500 calls in the big agency.
SMALL_SCALE = "0.0005"
FORGOTTEN_TABLES = ("webhook_events", "django_q_ormq", "django_q_task")
DATA_LABEL = "50 agencies; the big one: 100k contacts, 500k memories, 1M calls"
DATABASES: SqliteDatabases | PostgresDatabases = SqliteDatabases()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    """Whether a server answers at all: /health says 503 while no worker has beaten lately
    (the bench runs none, and cached data carries an old heartbeat)."""
    try:
        urllib.request.urlopen(url, timeout=1)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@contextlib.contextmanager
def gunicorn(database: str, workers: int = 3):
    port = free_port()
    env = child_env(database)
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
            if answers(url + "/health"):
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

    # 80% known callers spread over the whole contacts table (one in ten of them mapped to
    # a cloned voice), 20% unknown numbers.
    mapped = [data.contact_phone(n * data.VOICE_MAPPINGS // 80) for n in range(80)]
    phones = mapped + [data.contact_phone((n * 7919) % data.CONTACTS) for n in range(720)]
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


def paired(*measures, rounds: int = ROUNDS) -> tuple[dict, ...]:
    """Run each measure in turn, `rounds` times over; the median of every figure of each.

    On a shared machine the speed drifts from minute to minute; alternating baseline and
    Voqo and taking medians keeps that drift out of the ratio.
    """
    results: tuple[list, ...] = tuple([] for _ in measures)
    for _ in range(rounds):
        for measure, runs in zip(measures, results, strict=True):
            runs.append(measure())
    return tuple(
        {
            key: statistics.median(run[key] for run in runs)
            for key in runs[0]
            if isinstance(runs[0][key], int | float)
        }
        for runs in results
    )


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


# The bare view again, served like the provider routes: without the middleware for people
# (voqo/machine_routes.py). The goals compare with the bare view behind the site's full
# stack, as the issue set them; this second baseline shows what Voqo's own work costs.
MACHINE_BARE = "/bench/machine-bare"
MACHINE_NOTE = "baseline: bare view without the people middleware"


# -- a, b: webhooks under load --------------------------------------------------------------


def bench_webhooks(database: str, seconds: int, sections: set[str]) -> None:
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
            machine_bare = initiation_script(MACHINE_BARE)
            bare16, app16, machine16 = paired(
                lambda: wrk(url, bare, connections=16, seconds=seconds),
                lambda: wrk(url, warm, connections=16, seconds=seconds),
                lambda: wrk(url, machine_bare, connections=16, seconds=seconds),
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
                f"with {VOICE_NOTE}",
                goal=met(app4["p99"] < 8, "< 8 ms"),
            )
            row(
                "a. initiation req/s @c16",
                f"{app16['rps']:,.0f}",
                f"{bare16['rps']:,.0f}",
                ratio(app16["rps"], bare16["rps"]),
                f"non-2xx: {errors}",
            )
            row(
                "   … against the bare view on the provider routes' stack",
                f"{app16['rps']:,.0f}",
                f"{machine16['rps']:,.0f}",
                ratio(app16["rps"], machine16["rps"]),
                MACHINE_NOTE,
            )
        if "b" in sections:
            print("b. post-call acknowledgement", flush=True)
            bodies = post_call_bodies(max(4000, seconds * 2500))
            bare_script = post_call_script("/bench/bare", bodies)
            app_script = post_call_script("/webhooks/elevenlabs/post-call", bodies)
            machine_script = post_call_script(MACHINE_BARE, bodies)
            bare, app, machine = paired(
                lambda: wrk(url, bare_script, connections=16, seconds=seconds),
                lambda: wrk(url, app_script, connections=16, seconds=seconds),
                lambda: wrk(url, machine_script, connections=16, seconds=seconds),
            )
            row(
                "b. post-call ack req/s @c16",
                f"{app['rps']:,.0f}",
                f"{bare['rps']:,.0f}",
                ratio(app["rps"], bare["rps"]),
                f"non-2xx: {app['errors']}",
            )
            row(
                "   … against the bare view on the provider routes' stack",
                f"{app['rps']:,.0f}",
                f"{machine['rps']:,.0f}",
                ratio(app["rps"], machine["rps"]),
                MACHINE_NOTE,
            )
            row(
                "b. post-call ack p99 @c16",
                f"{app['p99']:.2f} ms",
                f"{bare['p99']:.2f} ms",
                ratio(app["p99"], bare["p99"]),
                "15 KB signed body",
            )
    DATABASES.forget_acknowledged_events(database)


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


def import_child(mode: str, csv_path: Path, rows: int, database: str) -> dict:
    env = child_env(database)
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


def bench_import() -> None:
    print("c. campaign CSV import", flush=True)
    big, small = campaign_csv(100_000), campaign_csv(10_000)
    baseline, voqo = paired(
        lambda: import_child("baseline", big, 100_000, DATABASES.empty()),
        lambda: import_child("voqo", big, 100_000, DATABASES.empty()),
    )
    voqo_small = import_child("voqo", small, 10_000, DATABASES.empty())
    rate, base_rate = voqo["rows"] / voqo["seconds"], baseline["rows"] / baseline["seconds"]
    row(
        "c. import 100k rows, rows/s",
        f"{rate:,.0f}",
        f"{base_rate:,.0f}",
        ratio(rate, base_rate),
        f"{voqo['rows']:,} rows stored",
    )
    row(
        "c. import peak RSS 100k vs 10k",
        f"{voqo['peak_mb']:.0f} MB",
        f"{voqo_small['peak_mb']:.0f} MB",
        ratio(voqo["peak_mb"], voqo_small["peak_mb"]),
        f"flat: ~1.0x for 10x the rows (plain parse: {baseline['peak_mb']:.0f} MB)",
    )


# -- d: pages at 1M calls ----------------------------------------------------------------

FIGURE_CHILD = r"""
import json, sys
import django
django.setup()
module, name = sys.argv[1].split(":")
function = getattr(__import__(module, fromlist=[name]), name)
print(json.dumps(function(**json.loads(sys.argv[2]))))
"""


def figure_child(database: str, function: str, env: dict | None = None, **kwargs) -> dict:
    """Run `function` ("module:name") with `kwargs` in a child process on `database`."""
    output = subprocess.run(
        [PYTHON, "-c", FIGURE_CHILD, function, json.dumps(kwargs)],
        env=child_env(database, **(env or {})),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise RuntimeError(output.stderr.strip()[-2000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def bench_pages(database: str, repeats: int) -> None:
    print("d. pages at 1M calls", flush=True)
    big = figure_child(database, "bench.pages:run_pages", repeats=repeats)
    small = figure_child(
        DATABASES.small(), "bench.pages:run_pages", {"BENCH_SCALE": SMALL_SCALE}, repeats=3
    )
    for name, figures in big.items():
        row(
            f"d. {name}",
            f"{figures['median']:.1f} ms (p95 {figures['p95']:.1f})",
            "50 ms",
            ratio(figures["median"], 50.0),
            f"queries {figures['queries']} at 1M vs {small[name]['queries']} at 500 calls"
            + (f"; {figures['loads']} loads" if figures["loads"] < repeats else ""),
            goal=met(
                figures["median"] < 50 and figures["queries"] == small[name]["queries"],
                "median < 50 ms, constant queries",
            ),
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
    database = DATABASES.empty()
    env = child_env(database)
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
        f"{result['dialled']} dialled; each call ends when its dial is answered",
    )
    row(
        "e. most calls in flight",
        str(result["max_in_flight"]),
        str(cap),
        ratio(result["max_in_flight"], cap),
        "never above the cap (<= 1.0x)",
    )


# -- f: search_listings -------------------------------------------------------------------


def bench_search(database: str, requests: int = 2_000) -> None:
    print("f. search_listings tool", flush=True)
    result = figure_child(database, "bench.search:run_search", requests=requests)
    row(
        f"f. search_listings p99 ({result['listings']:,} listings)",
        f"{result['p99']:.1f} ms (p50 {result['p50']:.1f})",
        "20 ms",
        ratio(result["p99"], 20.0),
        f"bare view p99 {result['baseline_p99']:.1f} ms; <= {result['max_results']} results",
        goal=met(result["p99"] < 20, "p99 < 20 ms"),
    )


# -- g: the REST API --------------------------------------------------------------------------


def bench_api(database: str, repeats: int) -> None:
    print("g. API lists and phone lookup", flush=True)
    for name, figures in figure_child(database, "bench.pages:run_api", repeats=repeats).items():
        row(
            f"g. {name}",
            f"{figures['median']:.1f} ms (p95 {figures['p95']:.1f})",
            "30 ms",
            ratio(figures["median"], 30.0),
            f"{figures['queries']} queries; first page, API key of the big agency",
            goal=met(figures["median"] < 30, "median < 30 ms"),
        )


# -- h: outgoing webhook deliveries --------------------------------------------------------


def bench_deliveries(count: int = 2_000) -> None:
    print("h. outgoing webhook deliveries", flush=True)
    result = figure_child(DATABASES.empty(), "bench.deliveries:run_deliveries", count=count)
    row(
        "h. webhook deliveries/s, 1 worker",
        f"{result['per_second']:,.0f}",
        "200/s",
        ratio(result["per_second"], 200.0),
        f"{result['delivered']:,} of {result['deliveries']:,} delivered to a loopback "
        f"receiver in {result['seconds']:.1f} s",
        goal=met(result["per_second"] >= 200, ">= 200/s"),
    )


# -- i: scheduled-call lateness ----------------------------------------------------------


def bench_lateness(count: int = 200) -> None:
    print("i. scheduled-call lateness", flush=True)
    result = figure_child(DATABASES.empty(), "bench.scheduled:run_lateness", count=count)
    row(
        f"i. scheduled-call lateness p99 ({count} due at once)",
        f"{result['p99']:.0f} ms (p50 {result['p50']:.0f})",
        note=f"{result['dialled']} dialled in {result['ticks']} tick(s) of "
        "place_due_calls; the schedule's 1-minute tick comes on top",
    )


# -- main --------------------------------------------------------------------------------


class Run:
    """What the figures share: the options and the big database, made once when needed."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sections = set(args.only.split(","))
        self._big: str | None = None

    def big(self) -> str:
        if self._big is None:
            self._big = DATABASES.big()
        return self._big


# The figures in the order they run: (the sections that run it, how).
FIGURES = [
    ("a,b", lambda run: bench_webhooks(run.big(), run.args.seconds, run.sections)),
    ("c", lambda run: bench_import()),
    ("d", lambda run: bench_pages(run.big(), run.args.repeats)),
    ("e", lambda run: bench_dispatch()),
    ("e", lambda run: scaleout.bench_real_path(row)),
    ("f", lambda run: bench_search(run.big())),
    ("g", lambda run: bench_api(run.big(), run.args.repeats)),
    ("h", lambda run: bench_deliveries()),
    ("i", lambda run: bench_lateness()),
    ("j", lambda run: scaleout.bench_scaleout(row)),
]


def main() -> None:
    global DATABASES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(s for sections, _ in FIGURES for s in sections.split(",")),
        help="comma-separated sections",
    )
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per run")
    parser.add_argument("--repeats", type=int, default=20, help="page loads per page")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="postgres: the servers DATABASE_URL and REDIS_URL name (make bench DB=postgres)",
    )
    args = parser.parse_args()
    os.environ.update({k: v for k, v in BENCH_ENV.items() if k != "DJANGO_SETTINGS_MODULE"})
    if args.db == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres") or not os.environ.get("REDIS_URL"):
            parser.error("--db postgres needs DATABASE_URL and REDIS_URL (make bench DB=postgres)")
        DATABASES = PostgresDatabases(url)
    else:
        os.environ.pop("REDIS_URL", None)
    run = Run(args)
    print(f"Benchmarks on {DATABASES.name}" + (" + Redis" if args.db == "postgres" else ""))
    started = time.perf_counter()
    if run.sections & {"a", "b"}:
        ensure_wrk()
    for sections, figure in FIGURES:
        if not run.sections & set(sections.split(",")):
            continue
        try:
            figure(run)
        except Exception as error:  # one broken figure must not hide the others
            row(f"{sections}. (failed)", "n/a", note=f"{type(error).__name__}: {error}"[:160])
    print_table()
    print(f"\n{DATABASES.name}: {time.perf_counter() - started:.0f} s in all", flush=True)


if __name__ == "__main__":
    main()
