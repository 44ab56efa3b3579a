"""Settings for a real gunicorn serving the test's own database file (tests/voqo/served.py)."""

import os
import warnings

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES, Q_CLUSTER

DATABASES["default"]["NAME"] = os.environ["SERVED_TEST_DATABASE"]
# Tasks are queued for a worker that is not running, as in production without one.
Q_CLUSTER = {**Q_CLUSTER, "sync": False}
# The slow local upstream of the custom-function tests answers as "localhost".
ALLOWED_FUNCTION_HOSTS = ["localhost"]
# Static files are not collected for tests; whitenoise's warning about it is noise here.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
