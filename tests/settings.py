"""Test settings: the real settings with the provider forced to the sandbox and tasks inline.

Tests that need the live provider use the `live_provider_settings` fixture, which points the
official SDKs at the fake provider server on 127.0.0.1.
"""

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# beside one unless told the caller knows what it is doing (the loop is Playwright's, idle).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from voqo.settings import *  # noqa: E402,F403
from voqo.settings import Q_CLUSTER  # noqa: E402

DEBUG = False
SECRET_KEY = "test-secret-key-" + "x" * 40
ALLOWED_HOSTS = ["*"]
PUBLIC_BASE_URL = "http://testserver"
VOQO_PROVIDER = "sandbox"
ELEVENLABS_API_KEY = ""
ELEVENLABS_BASE_URL = "http://127.0.0.1:9"  # never the internet, even by mistake
ELEVENLABS_WEBHOOK_SECRET = "whsec_test"
ELEVENLABS_INITIATION_TOKEN = "init-token-test"
ELEVENLABS_PHONE_NUMBER_ID = "phnum_test"
TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_AUTH_TOKEN = "test-twilio-token"
TWILIO_PHONE_NUMBER = "+61280001234"
TWILIO_BASE_URL = "http://127.0.0.1:9"
SANDBOX_CALL_DELAY = 0
SANDBOX_CLONE_DELAY = 0
TIME_ZONE = "Australia/Sydney"
FIELD_ENCRYPTION_KEYS = ["hT8pWUKUQpH8h6zm1OpAT9sWJkEhTYwqqkJXKoTgHeA="]

Q_CLUSTER = {**Q_CLUSTER, "sync": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = f"/tmp/voqo-test-media-{os.getpid()}"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# No worker runs beside the test servers: /health waits a week for its first heartbeat
# (tests/monitoring set their own limits).
WORKER_HEARTBEAT_GRACE = 7 * 24 * 3600
