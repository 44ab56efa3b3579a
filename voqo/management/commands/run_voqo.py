import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from voqo.local_address import local_base_url

# How long each child may take to stop before it is killed: gunicorn lets running requests
# finish (graceful_timeout 30 s); the cluster lets running tasks finish.
STOP_SECONDS = {"gunicorn": 35, "qcluster": 30}


class Command(BaseCommand):
    help = "Serve Voqo with gunicorn and run a django-q2 worker beside it; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host: str, port: str, **options):
        # SIGTERM (a supervisor, `timeout`, `kill -- -PGID`) and SIGHUP (the terminal closed)
        # stop both children like Ctrl-C does.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        base = settings.BASE_DIR
        children: dict[str, subprocess.Popen] = {}
        url = local_base_url(host, port)
        # Unless PUBLIC_BASE_URL is set (environment or .env, already read into os.environ),
        # webhooks (the sandbox's included) go to the address actually served.
        env = {**os.environ, "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL") or url}
        try:
            # Each child runs in a process group of its own and gets exactly one stop signal,
            # from us. django-q2's cluster hangs when a SIGTERM reaches all its processes at
            # once (the sentinel dies holding a lock the main process then waits on forever;
            # a systemd stop or `kill -- -PGID` does that), and gunicorn's workers are best
            # stopped by their master. A signal to our group reaches only us.
            children["gunicorn"] = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn"),
                    *("--config", str(base / "gunicorn.conf.py")),
                    *("--bind", f"{host}:{port}", "--access-logfile", "-"),
                ],
                cwd=base,
                env=env,
                process_group=0,
            )
            children["qcluster"] = subprocess.Popen(
                [sys.executable, str(base / "manage.py"), "qcluster"],
                cwd=base,
                env=env,
                process_group=0,
            )
            self.stdout.write(f"Voqo is running at {url}/ (Ctrl-C stops it).")
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not orphan them
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for name, child in children.items():
                _wait_or_kill(child, STOP_SECONDS[name])
        stopped_by_us = (0, None, -signal.SIGINT, -signal.SIGTERM, 130, 143)
        failed = [name for name, child in children.items() if child.returncode not in stopped_by_us]
        if failed:
            raise SystemExit(f"stopped: {', '.join(failed)} exited with an error")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _wait_or_kill(process: subprocess.Popen, seconds: float) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own group: its workers go too
        process.wait()
