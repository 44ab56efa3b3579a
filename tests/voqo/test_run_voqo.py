"""`make run` starts the web server and a worker with one command; a signal stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_voqo_serves_and_stops_web_server_and_worker_together(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voqo.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS[0],
        "DEBUG": "true",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=settings.BASE_DIR, check=True)
    port = _free_port()
    runner = subprocess.Popen(
        [*manage, "run_voqo", "--port", str(port)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the web server never answered"
                time.sleep(0.3)
        children = subprocess.run(
            ["pgrep", "-P", str(runner.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2, "a web server and a worker"

        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0
        time.sleep(0.5)
        for pid in children:
            assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid), f"{pid} still runs"
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)


def _is_zombie(pid: str) -> bool:
    with open(f"/proc/{pid}/status") as status:
        return "zombie" in status.read()
