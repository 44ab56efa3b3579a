"""Settings for a `dispatch_campaigns` child process that a test kills mid-dial: the test's
own database file and the live provider pointed at the test's fake server."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["CRASH_TEST_DATABASE"]
VOQO_PROVIDER = "live"
ELEVENLABS_API_KEY = "test-el-key"
ELEVENLABS_BASE_URL = os.environ["FAKE_PROVIDER_URL"]
ELEVENLABS_PHONE_NUMBER_ID = "phnum_test"
TWILIO_BASE_URL = os.environ["FAKE_PROVIDER_URL"]
