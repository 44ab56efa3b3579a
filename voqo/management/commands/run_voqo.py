import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from voqo.local_address import local_base_url


class Command(BaseCommand):
    help = "Run the web server and a django-q2 worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host: str, port: str, **options):
        # A SIGTERM (a supervisor, `timeout`) stops both children like Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        manage = [sys.executable, "manage.py"]
        url = local_base_url(host, port)
        # Unless PUBLIC_BASE_URL is set (environment or .env, already read into os.environ),
        # webhooks (the sandbox's included) go to the address actually served.
        env = {**os.environ, "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL") or url}
        processes = [
            subprocess.Popen([*manage, "runserver", f"{host}:{port}", "--noreload"], env=env),
            subprocess.Popen([*manage, "qcluster"], env=env),
        ]
        self.stdout.write(f"Voqo is running at {url}/ (Ctrl-C stops it).")
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()  # qcluster finishes its tasks; runserver exits
            deadline = time.monotonic() + 10
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        stopped_by_us = (0, None, -signal.SIGINT, -signal.SIGTERM, 130, 143)
        failed = [p.args[2] for p in processes if p.returncode not in stopped_by_us]
        if failed:
            raise SystemExit(f"stopped: {', '.join(failed)} exited with an error")
