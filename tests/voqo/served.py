"""Serve the test database with a real gunicorn, configured by the project's gunicorn.conf.py."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[str]:
    """A gunicorn on 127.0.0.1 serving the test database; yields its base URL.

    The test must use `transactional_db` so the server sees what the test writes.
    """
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(settings.BASE_DIR / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.voqo.served_settings",
            "SERVED_TEST_DATABASE": str(connection.settings_dict["NAME"]),
            **(env or {}),
        },
        cwd=settings.BASE_DIR,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5):
                    break
            except OSError:
                assert process.poll() is None, "gunicorn exited while starting"
                assert time.monotonic() < deadline, "gunicorn never answered /health"
                time.sleep(0.1)
        yield url
    finally:
        # A quick stop (nothing here needs a graceful one), told to the master alone: it
        # stops its workers itself.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
