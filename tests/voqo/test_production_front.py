"""The shipped production front: deploy/nginx/voqo.conf before gunicorn, and the systemd units.

With nginx in front, clients that send headers and then nothing never reach gunicorn, even
when they outnumber its threads and gunicorn itself would wait on their bodies for minutes.
"""

from __future__ import annotations

import configparser
import contextlib
import getpass
import grp
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.fakeprovider import load_payload
from tests.voqo.served import free_port, gunicorn
from tests.voqo.test_request_bodies import POST_CALL, post_chunked, signed
from tests.voqo.test_run_voqo import _descendants, _running
from tests.voqo.test_slow_peers import _health, _initiation, _stall

DEPLOY = settings.BASE_DIR / "deploy"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")  # sbin: not on every PATH


@contextlib.contextmanager
def nginx_in_front_of(upstream_url: str, workdir: Path) -> Iterator[str]:
    """deploy/nginx/voqo.conf, pointed at `upstream_url`, served by a throwaway nginx."""
    port = free_port()
    site = (DEPLOY / "nginx" / "voqo.conf").read_text()
    assert "server 127.0.0.1:8000;" in site and "listen 80;" in site
    site = site.replace("server 127.0.0.1:8000;", f"server {upstream_url.split('//')[1]};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    workdir.chmod(0o777)  # nginx's workers may run as another user and buffer bodies here
    (workdir / "voqo.conf").write_text(site)
    (workdir / "nginx.conf").write_text(
        f"""
        pid {workdir}/nginx.pid;
        error_log {workdir}/error.log;
        events {{ worker_connections 256; }}
        http {{
            access_log off;
            client_body_temp_path {workdir}/body;
            proxy_temp_path {workdir}/proxy;
            fastcgi_temp_path {workdir}/fastcgi;
            uwsgi_temp_path {workdir}/uwsgi;
            scgi_temp_path {workdir}/scgi;
            include {workdir}/voqo.conf;
        }}
        """
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _health(url)
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx never answered"
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.skipif(not NGINX, reason="nginx is not installed (`make test` installs nginx-light)")
@pytest.mark.django_db(transaction=True)
def test_behind_nginx_clients_without_bodies_never_reach_gunicorn(tmp_path):
    with contextlib.ExitStack() as stack:
        # One worker with two threads, each willing to wait ten minutes for a body: only the
        # front can keep the site answering.
        upstream = stack.enter_context(
            gunicorn(workers=1, env={"WEB_THREADS": "2", "REQUEST_BODY_TIMEOUT": "600"})
        )
        url = stack.enter_context(nginx_in_front_of(upstream, tmp_path))
        stalled = [stack.enter_context(_stall(url)) for _ in range(8)]

        assert [_initiation(url) for _ in range(4)] == [200, 200, 200, 200]
        status, answer = post_chunked(
            url, POST_CALL, *signed(load_payload("post_call_audio__small"))
        )
        assert status == 200 and json.loads(answer) == {"status": "received"}
        for client in stalled:
            client.setblocking(False)
            with pytest.raises(BlockingIOError):
                client.recv(1)  # nginx still waits for their bodies


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(DEPLOY / "systemd" / name)
    return unit


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(not SYSTEMD_ANALYZE, reason="systemd-analyze is not installed")
def test_the_systemd_units_pass_systemd_analyze(tmp_path):
    """Installed in this checkout, as this user: systemd accepts every line of both units."""
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    units = []
    for name in ("voqo-web.service", "voqo-worker.service"):
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace("/srv/voqo", str(settings.BASE_DIR))
        text = text.replace("User=voqo", f"User={user}").replace("Group=voqo", f"Group={group}")
        (tmp_path / name).write_text(text)
        units.append(str(tmp_path / name))
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", *units], capture_output=True, text=True)
    complaints = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert result.returncode == 0 and not complaints, result.stderr


def test_the_worker_unit_stops_the_cluster_through_its_main_process_only():
    service = _unit("voqo-worker.service")["Service"]
    assert service["ExecStart"].endswith("manage.py qcluster")
    assert service["KillMode"] == "mixed"
    assert int(service["TimeoutStopSec"]) > settings.Q_CLUSTER["timeout"]
    web = _unit("voqo-web.service")["Service"]
    assert web["KillMode"] == "mixed"


def test_a_sigterm_to_the_clusters_main_process_alone_stops_every_process_of_it(tmp_path):
    """What the worker unit's KillMode=mixed does on `systemctl stop`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voqo.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS[0],
        "Q_WORKERS": "1",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=settings.BASE_DIR, check=True)
    cluster = subprocess.Popen(
        [*manage, "qcluster"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(processes := _descendants(cluster.pid)) < 4:  # sentinel, worker, monitor, pusher
            assert cluster.poll() is None and time.monotonic() < deadline, "cluster not started"
            time.sleep(0.2)

        cluster.send_signal(signal.SIGTERM)

        assert cluster.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while still := [pid for pid in processes if _running(pid)]:
            assert time.monotonic() < deadline, f"{still} still run"
            time.sleep(0.2)
    finally:
        if cluster.poll() is None:
            os.killpg(cluster.pid, signal.SIGKILL)
