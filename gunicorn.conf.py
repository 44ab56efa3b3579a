"""How gunicorn serves Voqo. gunicorn reads this file from the working directory by itself,
so `make run`, the Docker image, deploy/voqo-web.service and a bare `gunicorn` all share it.

Threads, not single-request processes: a custom function waits on the agency's API for up
to its deadline, and with sync workers two such calls held both workers while /health and
the webhooks queued behind them. A gthread worker serves its other threads meanwhile (the
wait is I/O, so the GIL is free). Scale with WEB_CONCURRENCY (processes, ~1 per core) and
WEB_THREADS (concurrent requests per process). See README "Serving".
"""

import os

wsgi_app = "voqo.wsgi:application"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "16"))
# For gthread this is the worker's heartbeat, not a per-request limit; it is kept above the
# longest custom-function deadline (120 s, ElevenLabs' response_timeout_secs maximum) plus a
# margin anyway, so that a sync worker class chosen on the command line is never killed
# while a function legitimately waits.
timeout = int(os.environ.get("WEB_TIMEOUT", "150"))
graceful_timeout = 30
# Behind a proxy (deploy/nginx.conf) connections are reused; a little longer than gunicorn's 2 s.
keepalive = 5
# gunicorn's control socket lives at one path per user ($HOME/.gunicorn/gunicorn.ctl), which
# every instance on a host would share (make run beside tests or a second site); nothing in
# Voqo uses it.
control_socket_disable = True


def post_worker_init(worker):
    """Move everything loaded at start-up (Django, the SDKs, URL patterns, templates) out of
    the garbage collector's sight: a full collection then walks only what requests made, so
    it no longer stalls a request now and then (a full collection over start-up objects took
    ~34 ms on the development machine; with them frozen, well under 1 ms)."""
    import gc

    gc.freeze()
