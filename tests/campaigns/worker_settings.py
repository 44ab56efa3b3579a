"""Settings for a real `qcluster` worker that a browser test starts beside its live server:
the test's database file, the sandbox provider, webhooks posted back to the live server."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES, Q_CLUSTER

DATABASES["default"]["NAME"] = os.environ["WORKER_TEST_DATABASE"]
PUBLIC_BASE_URL = os.environ["WORKER_PUBLIC_BASE_URL"]
SANDBOX_CALL_DELAY = float(os.environ.get("SANDBOX_CALL_DELAY", "0.3"))
SANDBOX_FAILURE_RATE = 0.0
Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 1, "poll": 0.05}
