"""`make run` starts gunicorn and a worker with one command; a signal stops both cleanly.

"Cleanly" includes a SIGTERM to the whole process group (what `kill -- -PGID` and a
supervisor's group stop send): django-q2's cluster hangs when every one of its processes gets
that signal at once, so run_voqo must make sure it never does.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

from tests.voqo.served import free_port


def _descendants(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    found = [int(child) for child in children.stdout.split()]
    return found + [grandchild for child in found for grandchild in _descendants(child)]


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "zombie" not in status.read()
    except FileNotFoundError:
        return False


def _wait_until_served(url: str, runner: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return
        except OSError:
            assert runner.poll() is None, "run_voqo exited while starting"
            assert time.monotonic() < deadline, "the web server never answered"
            time.sleep(0.3)


@pytest.mark.parametrize("to_the_group", [False, True], ids=["to-run_voqo", "to-its-group"])
def test_run_voqo_serves_and_a_sigterm_stops_web_server_and_worker_together(tmp_path, to_the_group):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voqo.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS[0],
        "DEBUG": "true",
        "WEB_CONCURRENCY": "1",
        "Q_WORKERS": "1",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=settings.BASE_DIR, check=True)
    port = free_port()
    runner = subprocess.Popen(
        [*manage, "run_voqo", "--port", str(port)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_served(f"http://127.0.0.1:{port}/health", runner)
        children = subprocess.run(
            ["pgrep", "-P", str(runner.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2, "a web server and a worker"
        # gunicorn's master and worker; the cluster's main, sentinel, worker, monitor, pusher.
        deadline = time.monotonic() + 30
        while len(everything := _descendants(runner.pid)) < 7:
            assert time.monotonic() < deadline, f"only {len(everything)} processes started"
            time.sleep(0.2)

        if to_the_group:
            os.killpg(runner.pid, signal.SIGTERM)
        else:
            runner.send_signal(signal.SIGTERM)

        # The worker stops within its own stop time; a hung cluster would be killed after
        # it and make run_voqo exit with an error.
        assert runner.wait(timeout=90) == 0
        deadline = time.monotonic() + 10
        while still := [pid for pid in everything if _running(pid)]:
            assert time.monotonic() < deadline, f"{still} still run"
            time.sleep(0.2)
    finally:
        if runner.poll() is None:
            for pid in _descendants(runner.pid):
                os.kill(pid, signal.SIGKILL)
            os.killpg(runner.pid, signal.SIGKILL)
