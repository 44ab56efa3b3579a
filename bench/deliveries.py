"""Outgoing webhook deliveries per second in one worker process, for `make bench` (figure h).

A tiny threaded HTTP server on loopback, in its own process, answers every POST with 200.
`count` events are recorded through the webhooks app (one delivery each, queued on the task
broker as in use); then this process takes the queued tasks off the broker and runs them one
after another, as a django-q2 worker process does (its result saving happens in the
cluster's monitor process, not here), until every delivery has succeeded.
"""

import importlib
import subprocess
import sys
import time
from contextlib import contextmanager

from django.test import override_settings
from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from agencies.models import Agency
from webhooks import queue, sending
from webhooks.endpoints import create_endpoint
from webhooks.models import Delivery

RECEIVER = r"""
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
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


def _run_queued_deliveries(broker, deadline: float) -> None:
    """Take tasks off the broker and run them, as a worker process does."""
    functions = {}
    while True:
        if time.monotonic() > deadline:
            raise RuntimeError("the deliveries did not finish in time")
        tasks = broker.dequeue() or []
        if not tasks and not broker.queue_size():
            return  # nothing left to run (a worker asks the broker, not the deliveries)
        for ack_id, package in tasks:
            task = SignedPackage.loads(package)
            path = task["func"]
            if path == queue.DELIVER:
                if path not in functions:
                    module, name = path.rsplit(".", 1)
                    functions[path] = getattr(importlib.import_module(module), name)
                functions[path](*task["args"], **task["kwargs"])
            broker.acknowledge(ack_id)


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
        _run_queued_deliveries(broker, time.monotonic() + timeout)
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
