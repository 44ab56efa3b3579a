"""Outgoing webhook deliveries per second in one worker process, for `make bench` (figure h).

A tiny threaded HTTP server on loopback, in its own process, answers every POST with 200.
`count` events are recorded through the webhooks app (one delivery each, queued on the task
broker as in use); then django-q2's own pusher, in its own process as in a cluster, hands the
tasks to django-q2's own worker loop running in this process, until every delivery has run.
A helper process stands in for the cluster's monitor: it acknowledges each finished task
(the results are not saved, which is the monitor's work, not the worker's).
"""

import multiprocessing
import subprocess
import sys
import time
from contextlib import contextmanager
from queue import Empty

from django.db import connections
from django.test import override_settings
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.pusher import pusher
from django_q.worker import worker

from agencies.models import Agency
from webhooks import queue, sending
from webhooks.endpoints import create_endpoint
from webhooks.models import Delivery

RECEIVER = r"""
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # As a production web server does; else its headers and body, written apart on a kept
    # connection, wait out the sender's delayed acknowledgement (40 ms) every time.
    disable_nagle_algorithm = True
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
"""


@contextmanager
def receiver():
    """The receiving end in its own process (it must not share the worker's GIL)."""
    process = subprocess.Popen(
        [sys.executable, "-c", RECEIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        yield f"http://localhost:{process.stdout.readline().strip()}/hooks/voqo"
    finally:
        process.stdin.close()
        process.wait(timeout=10)


RECYCLED = -2  # django-q2's worker state after Conf.RECYCLE tasks


def _acknowledge_results(results, tasks, count: int, timeout: float) -> None:
    """The cluster monitor's part (its own process): acknowledge each finished task on the
    broker (results are not saved, as that is not the worker's work) and stop the worker
    once `count` deliveries have run."""
    broker = get_broker()
    finished, give_up_at = 0, time.monotonic() + timeout
    try:
        while finished < count:
            task = results.get(timeout=max(give_up_at - time.monotonic(), 0))
            broker.acknowledge(task["ack_id"])
            finished += task["func"] == queue.DELIVER
    except Empty:
        pass  # too slow: the worker stops, and the figure shows fewer delivered
    tasks.put("STOP")


def _run_queued_deliveries(count: int, timeout: float) -> None:
    """django-q2's own pusher (its own process, as in a cluster) takes the tasks off the
    broker and hands them to django-q2's own worker loop, run here: this process is the
    worker process, with the per-task work that loop does (connection checks, its timeout
    alarm, logging, the result handed back)."""
    fork = multiprocessing.get_context("fork")
    tasks, results, stop = fork.Queue(maxsize=Conf.QUEUE_LIMIT), fork.Queue(), fork.Event()
    connections.close_all()  # never shared with a forked process
    helpers = [
        fork.Process(target=pusher, args=(tasks, stop), daemon=True),
        fork.Process(
            target=_acknowledge_results, args=(results, tasks, count, timeout), daemon=True
        ),
    ]
    for helper in helpers:
        helper.start()
    state = fork.Value("f", -1)
    try:
        while True:
            state.value = -1
            worker(tasks, results, state, timeout=int(timeout))
            if state.value != RECYCLED:
                break  # stopped: every delivery has run
            # A cluster replaces a worker after Conf.RECYCLE tasks; this one carries on.
    finally:
        stop.set()
        for helper in helpers:
            helper.join(timeout=5)
            if helper.is_alive():
                helper.kill()


def run_deliveries(count: int = 2_000, timeout: float = 600) -> dict:
    agency = Agency.objects.order_by("created_at").first()
    # The egress guard refuses loopback; the receiver's host is allowed by name, as in tests.
    with receiver() as url, override_settings(ALLOWED_FUNCTION_HOSTS=["localhost"]):
        endpoint = create_endpoint(agency=agency, url=url, event_types=["call.completed"]).endpoint
        broker = get_broker()
        broker.purge_queue()
        for n in range(count):
            sending.record_event(
                agency=agency,
                event_type="call.completed",
                data={"call_id": f"bench-{n}", "summary": "Booked an inspection at 12 Ocean St."},
            )
        started = time.perf_counter()
        _run_queued_deliveries(count, timeout)
        elapsed = time.perf_counter() - started
        delivered = Delivery.objects.filter(
            endpoint=endpoint, status=Delivery.Status.SUCCEEDED
        ).count()
    return {
        "deliveries": count,
        "delivered": delivered,
        "seconds": elapsed,
        "per_second": delivered / elapsed if elapsed else 0.0,
    }
