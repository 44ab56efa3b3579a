"""Voqo settings: everything that varies between machines comes from the environment."""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A fixed development key is only acceptable with DEBUG; production must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="voqo-insecure-development-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Unset, `make run` (run_voqo) sets it to the address it serves for its web server and worker.
PUBLIC_BASE_URL = (env("PUBLIC_BASE_URL", default="") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_q",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "voqo",
    "agencies",
    "agents",
    "contacts",
    "calls",
    "campaigns",
    "functions",
    "phone_numbers",
    "compliance",
    "listings",
    "knowledge",
    "outcomes",
    "onboarding",
    "sandbox",
    "scheduling",
    "messages.apps.MessagesConfig",
    "api",
    "webhooks",
    "audit",
    "retention",
    "monitoring",
    "voices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "voqo.middleware.FriendlyNotFoundMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "voqo.middleware.StaffRequiredMiddleware",
    "agencies.current.CurrentAgencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "voqo.urls"
# Provider routes (webhooks, tool calls) skip the middleware that serves people: no session,
# user, agency, CSRF or messages to load for a machine (voqo/machine_routes.py).
MACHINE_URLCONF = "voqo.machine_urls"
MACHINE_MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
WSGI_APPLICATION = "voqo.wsgi.application"
ASGI_APPLICATION = "voqo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "voqo.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'voqo.db'}")}
# Persistent connections roughly double webhook throughput (PITFALLS.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
    # concurrent writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file database (concurrency tests need one); one per process so parallel
    # runs on one machine never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_DATABASE_NAME", default=f"/tmp/voqo-test-{os.getpid()}.db")
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, without a health-check round trip per request on a connection in
    # steady use (voqo/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "voqo.postgresql"
    # Pages read index ranges of a few thousand rows at most, where starting parallel workers
    # costs more than they save: the planner gave a campaign's calls list two workers, 12-44 ms
    # on a busy 2-core machine against 0.3 ms without them.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (
        f"{options.get('options', '')} -c max_parallel_workers_per_gather=0".strip()
    )
    # Webhook statements (voqo/db.py) are prepared once per connection; Django's own queries
    # bind on the client and are never prepared. Off for a PgBouncer older than 1.21 in
    # transaction mode, which cannot route prepared statements.
    options["prepare_threshold"] = (
        0 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (django-q2) ---------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "voqo",
    "workers": env.int("Q_WORKERS", default=2),
    # A task that raises is retried a few times, then recorded as failed — never forever.
    "max_attempts": 3,
    "ack_failures": True,
    "timeout": 120,
    "retry": 180,
    "catch_up": False,
    "poll": 0.1,
    "save_limit": 1000,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    # One cache for every web and worker process: a change clears a cached value (a called
    # number's owner, an agency's settings) everywhere, not in the one process that made it.
    CACHES = {
        "default": {
            # Django's, keeping one redis-py client per process (voqo/redis_cache.py).
            "BACKEND": "voqo.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "voqo",
        }
    }
else:
    Q_CLUSTER["orm"] = "default"
    # Polls every `poll` seconds when idle, far more often while tasks flow (voqo/task_broker.py).
    Q_CLUSTER["broker_class"] = "voqo.task_broker.QuickPollingORM"
if env.bool("Q_SYNC", default=False):
    Q_CLUSTER["sync"] = True

# --- Auth -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- E-mail (invitations, password resets) ---------------------------------------------
# With EMAIL_HOST set, mail goes out over SMTP; without it, it is printed to the console
# (development: the invitation and reset links appear in the `make run` output).
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
# Port 465 speaks SSL from the start, 587 upgrades with STARTTLS: one or the other.
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="") or "Voqo <voqo@localhost>"

# --- Locale -----------------------------------------------------------------------
LANGUAGE_CODE = "en-au"
TIME_ZONE = env("TIME_ZONE", default="Australia/Sydney")
USE_I18N = True
USE_TZ = True
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="AU")

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development whitenoise serves straight from the app and project static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# --- Security (effective behind HTTPS; see README "Production") ----------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Request bodies (voqo/request_bodies.py, applied in voqo/wsgi.py) ------------------
# Largest request body read at all (413 above it): post_call_audio events carry a base64 MP3,
# the largest body any view accepts. Views keep their own, smaller limits.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=64 * 1024 * 1024)
# Seconds a request body may take to arrive after its headers (408 after): a client that
# sends headers and then stalls must not hold a web thread.
REQUEST_BODY_TIMEOUT = env.float("REQUEST_BODY_TIMEOUT", default=30.0)

# --- Providers (see ../shared/providers.md and README) -------------------------------
ELEVENLABS_API_KEY = env("ELEVENLABS_API_KEY", default="")
ELEVENLABS_BASE_URL = env("ELEVENLABS_BASE_URL", default="https://api.elevenlabs.io")
ELEVENLABS_WEBHOOK_SECRET = env("ELEVENLABS_WEBHOOK_SECRET", default="")
ELEVENLABS_INITIATION_TOKEN = env("ELEVENLABS_INITIATION_TOKEN", default="")
ELEVENLABS_PHONE_NUMBER_ID = env("ELEVENLABS_PHONE_NUMBER_ID", default="")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_PHONE_NUMBER = env("TWILIO_PHONE_NUMBER", default="")
TWILIO_BASE_URL = env("TWILIO_BASE_URL", default="https://api.twilio.com")
VOQO_PROVIDER = env("VOQO_PROVIDER", default="live" if ELEVENLABS_API_KEY else "sandbox")
if VOQO_PROVIDER not in ("live", "sandbox"):
    raise environ.ImproperlyConfigured("VOQO_PROVIDER must be 'live' or 'sandbox'")
if VOQO_PROVIDER == "sandbox":
    # The sandbox signs its own webhooks; a fixed secret keeps `make run` zero-config.
    ELEVENLABS_WEBHOOK_SECRET = ELEVENLABS_WEBHOOK_SECRET or "sandbox-webhook-secret"
    ELEVENLABS_INITIATION_TOKEN = ELEVENLABS_INITIATION_TOKEN or "sandbox-initiation-token"
    TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN or "sandbox-twilio-token"
    TWILIO_PHONE_NUMBER = TWILIO_PHONE_NUMBER or "+61280001234"
# The Do Not Call Register washing client (voqo.providers.dncr): files by default; a dotted
# path to a client class that washes through a service's API.
VOQO_DNCR_CLIENT = env("VOQO_DNCR_CLIENT", default="voqo.providers.dncr.FileWashClient")
# Seconds of sandbox "ringing" before a simulated call ends with its webhook.
SANDBOX_CALL_DELAY = env.float("SANDBOX_CALL_DELAY", default=3.0)
# Seconds the sandbox takes to "clone" a voice before it hands back a synthetic voice id.
SANDBOX_CLONE_DELAY = env.float("SANDBOX_CLONE_DELAY", default=1.0)
# Share of simulated outbound calls that end unanswered or busy.
SANDBOX_FAILURE_RATE = env.float("SANDBOX_FAILURE_RATE", default=0.15)

# Minutes a single outbound call may wait for its post-call webhook before Voqo asks the
# provider's conversation API for the result (calls.reconciling, run by the sweep).
CALL_RESULT_TIMEOUT_MINUTES = env.int("CALL_RESULT_TIMEOUT_MINUTES", default=30)

# Fernet keys for secrets at rest, newest first (rotation: prepend a new key, run rotate_secrets).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Largest contacts CSV accepted for import (bytes).
CSV_IMPORT_MAX_BYTES = env.int("CSV_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# Hosts that custom functions may reach although they resolve to private addresses (development).
ALLOWED_FUNCTION_HOSTS = env.list("ALLOWED_FUNCTION_HOSTS", default=[])

# --- Public API and outgoing webhooks (README "API and webhooks") -----------------------
# Requests per minute one API key may make (429 with Retry-After above it).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ApiKeyPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Voqo API",
    "DESCRIPTION": (
        "The agency's calls, contacts, agents and campaigns. Authenticate with "
        "`Authorization: Bearer <key>` (Settings → API keys)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "calls.models.Call.Status",
        "JobStatusEnum": "campaigns.models.Job.Status",
        "DeliveryStatusEnum": "webhooks.models.Delivery.Status",
        "SmsStatusEnum": "calls.models.Call.SmsStatus",
        "CallDirectionEnum": "calls.models.Call.Direction",
        "PhoneNumberDirectionEnum": "phone_numbers.models.PhoneNumber.Direction",
    },
}
# Seconds an outgoing webhook delivery may take; days a failing endpoint is retried before
# it is disabled.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_DAYS = env.int("WEBHOOK_RETRY_DAYS", default=3)
# --- Health, metrics, backups -------------------------------------------------------
# Bearer token a Prometheus scraper sends to /metrics; unset, /metrics answers 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# /health fails when the worker's heartbeat (written every minute) is older than this (s),
# or when none has come this long after `migrate` (a worker that never started).
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=300)
WORKER_HEARTBEAT_GRACE = env.int("WORKER_HEARTBEAT_GRACE", default=900)
# Where `manage.py backup` writes its archives.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))

# --- Logging ----------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, extras).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise environ.ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "voqo.json_logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
