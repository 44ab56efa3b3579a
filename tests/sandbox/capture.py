"""A tiny HTTP server that records the webhooks the sandbox sends (standing in for Voqo)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Captured:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class CaptureServer:
    def __init__(self, initiation_answer: dict | None = None, status: int = 200) -> None:
        self.requests: list[Captured] = []
        self.initiation_answer = initiation_answer
        self.status = status
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                capture.requests.append(
                    Captured(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if self.path.endswith("/initiation") and capture.initiation_answer is not None:
                    answer, status = json.dumps(capture.initiation_answer).encode(), 200
                else:
                    answer, status = b'{"status": "received"}', capture.status
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def to(self, path_suffix: str) -> list[Captured]:
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    def __enter__(self) -> CaptureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
