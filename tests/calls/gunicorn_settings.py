"""Settings for a real gunicorn that a test starts on its database file: tasks go to the
ORM broker (nothing runs inline), as in production without Redis."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES, Q_CLUSTER

DATABASES["default"]["NAME"] = os.environ["GUNICORN_TEST_DATABASE"]
Q_CLUSTER = {**Q_CLUSTER, "sync": False}
