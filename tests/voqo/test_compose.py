"""The Docker image and deploy/compose.yaml, exercised without a container engine: the
image keeps everything it writes under /app/data (its one volume, the app user's), and the
compose web and worker commands, run here with compose's environment, serve a healthy Voqo.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.voqo.served import free_port

ROOT = settings.BASE_DIR
DATA = "/app/data"


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def _image_environment() -> dict[str, str]:
    """The ENV of the Dockerfile (`ENV A=1 \\ B=2`)."""
    text = _dockerfile().replace("\\\n", " ")
    environment = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                environment[key] = value
    return environment


def _image_command() -> list[str]:
    (cmd,) = re.findall(r"^CMD (\[.*\])$", _dockerfile(), flags=re.M)
    return json.loads(cmd)


def _compose() -> dict:
    return yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())


def _local(value: str, data_dir: Path) -> str:
    return value.replace(DATA, str(data_dir))


def _base_environment(data_dir: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"))
    }
    environment.update(
        # `python` and `gunicorn` of the commands: this virtualenv's, as the image's are.
        PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        SECRET_KEY="compose-test-" + "x" * 40,
        FIELD_ENCRYPTION_KEYS="hT8pWUKUQpH8h6zm1OpAT9sWJkEhTYwqqkJXKoTgHeA=",
        DJANGO_SETTINGS_MODULE="voqo.settings",
        Q_WORKERS="1",
    )
    environment.update({k: _local(v, data_dir) for k, v in _image_environment().items()})
    return environment


@contextlib.contextmanager
def _running(command: list[str], environment: dict[str, str], log: Path):
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)  # the main process alone, as docker stop
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _health(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url + "/health", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _wait_for(condition, *, seconds: float, what: str, log: Path, process):
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, f"{what}: it exited; log:\n{log.read_text()[-3000:]}"
        with contextlib.suppress(OSError, ValueError):
            result = condition()
            if result:
                return result
        assert time.monotonic() < deadline, f"{what}; log:\n{log.read_text()[-3000:]}"
        time.sleep(0.25)


def test_the_image_writes_only_under_its_one_volume_owned_by_the_app_user():
    environment = _image_environment()
    dockerfile = _dockerfile()
    assert environment["DATABASE_URL"] == f"sqlite:///{DATA}/voqo.db"
    assert environment["MEDIA_ROOT"].startswith(DATA + "/")
    assert environment["BACKUP_DIR"].startswith(DATA + "/")
    assert f'VOLUME ["{DATA}"]' in dockerfile
    assert re.search(rf"chown -R voqo:voqo {DATA}\b", dockerfile)
    assert dockerfile.index("chown -R voqo:voqo") < dockerfile.index("USER voqo")
    # The compose services mount that volume and keep their files in it.
    for name in ("web", "worker"):
        service = _compose()["services"][name]
        assert f"data:{DATA}" in service["volumes"]
        assert service["environment"]["MEDIA_ROOT"].startswith(DATA + "/")


def test_the_images_default_command_creates_its_database_in_the_volume(tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "media").mkdir(parents=True)
    port = free_port()
    environment = {**_base_environment(data_dir), "PORT": str(port), "BIND": f"127.0.0.1:{port}"}
    url = f"http://127.0.0.1:{port}"

    with _running(_image_command(), environment, tmp_path / "web.log") as web:
        status, body = _wait_for(
            lambda: _health(url),
            seconds=120,
            what="the image's command never served",
            log=tmp_path / "web.log",
            process=web,
        )

    assert (data_dir / "voqo.db").exists()
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_the_compose_web_and_worker_commands_serve_a_healthy_voqo(tmp_path):
    services = _compose()["services"]
    assert {"web", "worker", "db", "redis", "front"} <= set(services)
    assert services["front"]["network_mode"] == "service:web"
    data_dir = tmp_path / "data"
    (data_dir / "media").mkdir(parents=True)
    port = free_port()

    def environment_of(service: dict) -> dict[str, str]:
        environment = _base_environment(data_dir)
        for key, value in service["environment"].items():
            environment[key] = _local(str(value), data_dir)
        # The compose hosts (db, redis) are this machine's: PostgreSQL and Redis when the
        # suite runs on them (.ci/test-postgres), else the image's SQLite and the ORM broker.
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            db = settings.DATABASES["default"]
            environment["DATABASE_URL"] = (
                f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/compose_{os.getpid()}"
            )
        else:
            environment["DATABASE_URL"] = f"sqlite:///{data_dir}/voqo.db"
        if settings.REDIS_URL:
            environment["REDIS_URL"] = settings.REDIS_URL
        else:
            environment.pop("REDIS_URL", None)
        environment["BIND"] = f"127.0.0.1:{port}"
        environment["PORT"] = str(port)
        environment["WORKER_HEARTBEAT_GRACE"] = "0"  # healthy only once the worker has beaten
        return environment

    web, worker = services["web"], services["worker"]
    assert web["command"] == _image_command()
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        _create_database(f"compose_{os.getpid()}")
    url = f"http://127.0.0.1:{port}"
    with _running(web["command"], environment_of(web), tmp_path / "web.log") as web_process:
        status, body = _wait_for(
            lambda: _health(url),
            seconds=120,
            what="web never answered",
            log=tmp_path / "web.log",
            process=web_process,
        )
        assert status == 503 and body["status"] == "failing: worker"  # no worker yet
        with _running(
            worker["command"], environment_of(worker), tmp_path / "worker.log"
        ) as worker_process:
            # The worker's scheduler runs the heartbeat within its first 30 s cycle.
            status, body = _wait_for(
                lambda: (lambda s, b: (s, b) if s == 200 else None)(*_health(url)),
                seconds=120,
                what="the worker never beat",
                log=tmp_path / "worker.log",
                process=worker_process,
            )
    assert body["status"] == "ok"
    assert body["checks"]["worker"]["detail"].startswith("ok (heartbeat")


def _create_database(name: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')


pytestmark = pytest.mark.django_db(transaction=True)
