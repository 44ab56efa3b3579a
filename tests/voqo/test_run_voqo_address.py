"""`make run PORT=…`: webhooks (the sandbox's included) and the printed URLs follow the
address actually served when PUBLIC_BASE_URL is not set."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_sandbox_call_completes_on_a_port_other_than_8000(tmp_path):
    database = tmp_path / "run.db"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voqo.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS[0],
        "DEBUG": "true",
        "VOQO_PROVIDER": "sandbox",
        "PUBLIC_BASE_URL": "",  # not set: follow the address served
        "SANDBOX_CALL_DELAY": "0",
        "SANDBOX_FAILURE_RATE": "0",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, "manage.py"]
    cwd = settings.BASE_DIR

    def run(*args: str) -> str:
        done = subprocess.run([*manage, *args], env=env, cwd=cwd, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("migrate", "-v0")
    run(
        "shell",
        "-c",
        "from agencies.models import Agency; from agents.models import Agent; "
        "Agent.objects.create(agency=Agency.objects.first(), name='Lisa', "
        "elevenlabs_agent_id='agent_sbx_lisa', system_prompt='You are Lisa.', "
        "greeting_message='Hi there.', template='property_sales')",
    )
    port = _free_port()
    output = tmp_path / "run_voqo.out"
    with open(output, "w") as out:
        runner = subprocess.Popen(
            [*manage, "run_voqo", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:  # the web server answers before the simulated call starts
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the web server never answered"
                time.sleep(0.3)
        run("sandbox_inbound_call", "--from", "0412 345 678", "--agent", "Lisa")
        while True:
            with sqlite3.connect(database) as db:
                rows = db.execute("SELECT status FROM calls").fetchall()
            if rows:
                break
            assert time.monotonic() < deadline, "the sandbox webhook never reached the server"
            time.sleep(0.5)
        assert rows[0][0] in ("completed", "failed", "no_answer", "busy")
        assert f"Voqo is running at http://127.0.0.1:{port}/" in output.read_text()
    finally:
        if runner.poll() is None:
            runner.send_signal(signal.SIGTERM)
            try:
                runner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(runner.pid, signal.SIGKILL)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8100/"),
        ("0.0.0.0", "http://127.0.0.1:8100/"),
        ("::", "http://[::1]:8100/"),
        ("voqo.local", "http://voqo.local:8100/"),
    ],
)
def test_the_printed_login_url_follows_host_and_port(monkeypatch, host, url):
    monkeypatch.setenv("VOQO_ADMIN_PASSWORD", "correct-horse")
    out = StringIO()

    call_command("ensure_staff_user", "--host", host, "--port", "8100", stdout=out)

    assert f"Log in at {url} as admin / correct-horse" in out.getvalue()
