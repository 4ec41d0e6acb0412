"""Procession settings, read from environment variables with working embedded defaults.

Without any environment the project runs on SQLite under ``var/`` and on an embedded Celery
broker (kombu's filesystem transport, also under ``var/``): no server process needed.
Production sets ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY``, ``DEBUG=false`` and
``ALLOWED_HOSTS``. See docs/configuration.md for the full table.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PROCESSION_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/true/yes/on are true)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# Demo data (load_demo) only where DEBUG is on; captured here because test runners turn
# settings.DEBUG off while they run.
PROCESSION_DEMO_DATA = DEBUG
_DEV_SECRET = "procession-development-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is false")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "axes",
    "bpmn_engine",
    "tasklist",
    "auditor",
    "api",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    # last, as django-axes asks: it turns a lockout raised during login into a 429 page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "tasklist.context_processors.navigation",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'procession.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN,
    # so concurrent writers queue on the busy timeout instead of failing with
    # "database is locked" when a deferred transaction upgrades to a write.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-procession.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The write path's few fixed statements are prepared once per connection
    # (bpmn_engine.persistence.sql.cursor; Django's own cursors never prepare). Off for a
    # pooler in transaction mode that cannot keep prepared statements (PgBouncer < 1.21).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        0 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None
    )
# Statements each PostgreSQL connection keeps prepared (psycopg's default is 100). The
# merged write statements differ by which tables a command writes: the service tests
# alone prepare 133 texts, 84 of them on one connection.
DATABASE_PREPARED_MAX = int(os.environ.get("DATABASE_PREPARED_MAX", "256"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out (username, IP) before any password is checked
    "config.login_rate_limit.LoginRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login rate limit (django-axes): after PROCESSION_LOGIN_FAILURE_LIMIT wrong passwords
# for one username from one IP address, that pair is locked out for the cool-off time.
# Locking the pair (not the IP or the username alone) keeps an attacker from locking a
# victim out from elsewhere. The client IP is REMOTE_ADDR unless PROCESSION_PROXY_COUNT
# trusted proxies sit in front (config/client_ip.py), so a forged X-Forwarded-For neither
# resets nor moves a lockout.
AXES_ENABLED = env_bool("PROCESSION_LOGIN_RATE_LIMIT", True)
AXES_FAILURE_LIMIT = int(os.environ.get("PROCESSION_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(
    minutes=float(os.environ.get("PROCESSION_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.login_rate_limit.client_ip"
PROCESSION_PROXY_COUNT = int(os.environ.get("PROCESSION_PROXY_COUNT", "0"))
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How often an open inbox asks for new tasks (htmx; pages also work without JavaScript).
PROCESSION_INBOX_POLL_SECONDS = float(os.environ.get("PROCESSION_INBOX_POLL_SECONDS", "15"))
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users get nothing

# --- i18n, static -----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
NODE_MODULES = BASE_DIR / "node_modules"  # installed by the Makefile from package-lock.json
# Only the built browser bundles are served, under static/vendor/<library>/.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bpmn-js", NODE_MODULES / "bpmn-js" / "dist"),
    ("vendor/form-js", NODE_MODULES / "@bpmn-io" / "form-js" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- security (production values when DEBUG is off) -------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the inbox's forms read no cookie; templates carry the token
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy sent on every response (config/csp.py); a view adds sources for
# itself with @csp_extend. None keeps the built-in strict policy.
CONTENT_SECURITY_POLICY = None
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Procession API",
    "DESCRIPTION": (
        "BPMN 2.0 process engine and human task inbox. Errors are RFC 9457 problem details "
        "(application/problem+json) with a stable `type` per engine error."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InstanceStateEnum": ["active", "completed", "terminated", "cancelled", "suspended"],
        "TaskStateEnum": "bpmn_engine.models.work.UserTaskState",
        "IncidentStateEnum": ["open", "resolved"],
    },
    # Swagger UI and ReDoc come from the pinned drf-spectacular-sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# External-task long polling: the longest a fetch-and-lock request is held open.
PROCESSION_MAX_ASYNC_RESPONSE_MS = int(os.environ.get("PROCESSION_MAX_ASYNC_RESPONSE_MS", "60000"))

# --- Celery -----------------------------------------------------------------------------
# Embedded default: ``embedded://`` (bpmn_engine/jobs/embedded_broker.py), kombu's
# filesystem transport with atomic writes and claims: messages are files under var/broker,
# so `make run` needs no broker server. It supports fanout, so remote control (ping) works.
BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "broker"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "embedded://")
EMBEDDED_BROKER = CELERY_BROKER_URL.startswith(("embedded://", "filesystem://"))
if EMBEDDED_BROKER:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
    _BROKER_FOLDERS = [BROKER_DIR / "queue", BROKER_DIR / "control", BROKER_DIR / "processed"]
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    _BROKER_FOLDERS = []
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "procession")
# The database is the source of truth; the broker only rings the bell. A task is
# acknowledged after it ran and re-queued when its worker dies, one message at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Polling transports (the embedded filesystem broker) run Celery's blocking loop, which
# takes the next message only after a 2 s drain timeout once the prefetch window is full;
# a wider window keeps it moving. The job table, not the broker, guarantees delivery.
CELERY_WORKER_PREFETCH_MULTIPLIER = 16 if EMBEDDED_BROKER else 1
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "4"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes the database connection after every task unless told to
# reuse it; a fresh PostgreSQL connection per job costs more than the job's own commands.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
TIMER_POLL_SECONDS = float(os.environ.get("PROCESSION_TIMER_POLL_SECONDS", "1"))
JOB_SWEEP_SECONDS = float(os.environ.get("PROCESSION_JOB_SWEEP_SECONDS", "2"))
AUDIT_ANCHOR_SECONDS = float(os.environ.get("PROCESSION_AUDIT_ANCHOR_SECONDS", "300"))
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # A periodic message older than its interval is dropped: the next one does the work.
    "fire-due-timers": {
        "task": "procession.fire_due_timers",
        "schedule": TIMER_POLL_SECONDS,
        "options": {"expires": max(TIMER_POLL_SECONDS, 1.0)},
    },
    "sweep-jobs": {
        "task": "procession.sweep_jobs",
        "schedule": JOB_SWEEP_SECONDS,
        "options": {"expires": max(JOB_SWEEP_SECONDS, 1.0)},
    },
    # Audit anchors: a removed stream or a cut-off tail is caught from the next anchor on.
    "anchor-audit": {
        "task": "procession.anchor_audit",
        "schedule": AUDIT_ANCHOR_SECONDS,
        "options": {"expires": max(AUDIT_ANCHOR_SECONDS, 1.0)},
    },
}

# --- engine: jobs, retries, breakers, backpressure ---------------------------------------
PROCESSION_HANDLER_MODULES = env_list("PROCESSION_HANDLER_MODULES", "")
# A handler gets its timeout (Celery's soft limit), then this grace before the pool kills it
# (the hard limit); its lease lasts the hard limit plus the lock margin.
PROCESSION_JOB_HARD_LIMIT_GRACE_SECONDS = float(
    os.environ.get("PROCESSION_JOB_HARD_LIMIT_GRACE_SECONDS", "30")
)
PROCESSION_JOB_LOCK_MARGIN_SECONDS = float(
    os.environ.get("PROCESSION_JOB_LOCK_MARGIN_SECONDS", "30")
)
# A run_job message carries its job's limits plus this budget: a worker whose job's report
# creates the next job (of the same instance) leases it in that transaction and runs it
# in the same message while the budget left covers that job's own hard limit; 0: one
# job per message.
PROCESSION_JOB_CHAIN_SECONDS = float(os.environ.get("PROCESSION_JOB_CHAIN_SECONDS", "10"))
# Doorbells already waiting in a process's publisher go out together, up to this many job
# ids per message (jobs whose limits match); the worker leases them in one statement and
# reports their outcomes in one transaction. 1: one job per message.
PROCESSION_JOB_BATCH_SIZE = max(1, int(os.environ.get("PROCESSION_JOB_BATCH_SIZE", "8")))
# A run_job message also leases up to this many other due jobs waiting for a worker (of
# types sent with the same limits) and runs them as one batch; their own messages then
# find them taken. Trades a little latency under a backlog for fewer transactions; 0: off.
PROCESSION_JOB_CLAIM_AHEAD = max(0, int(os.environ.get("PROCESSION_JOB_CLAIM_AHEAD", "7")))
# ... but only jobs of types whose handlers have averaged at most this long in the worker
# (a slow handler gains little from a shared transaction and would hold the others back).
PROCESSION_JOB_CLAIM_AHEAD_MAX_SECONDS = float(
    os.environ.get("PROCESSION_JOB_CLAIM_AHEAD_MAX_SECONDS", "0.05")
)
# Once a batch's handlers have run this long, its jobs not yet started are released and
# sent again one per message, so other workers take them instead of waiting behind it.
PROCESSION_JOB_BATCH_SLICE_SECONDS = float(
    os.environ.get("PROCESSION_JOB_BATCH_SLICE_SECONDS", "0.25")
)
PROCESSION_JOB_REDISPATCH_SECONDS = float(os.environ.get("PROCESSION_JOB_REDISPATCH_SECONDS", "30"))
PROCESSION_JOB_BACKOFF_BASE_SECONDS = float(
    os.environ.get("PROCESSION_JOB_BACKOFF_BASE_SECONDS", "5")
)
PROCESSION_JOB_BACKOFF_MAX_SECONDS = float(
    os.environ.get("PROCESSION_JOB_BACKOFF_MAX_SECONDS", "600")
)
PROCESSION_BREAKER_THRESHOLD = int(os.environ.get("PROCESSION_BREAKER_THRESHOLD", "5"))
PROCESSION_BREAKER_COOLDOWN_SECONDS = float(
    os.environ.get("PROCESSION_BREAKER_COOLDOWN_SECONDS", "30")
)
PROCESSION_MAX_JOB_BACKLOG = int(os.environ.get("PROCESSION_MAX_JOB_BACKLOG", "10000"))
# /metrics for Prometheus: scrapers send "Authorization: Bearer <token>" (empty: only
# logged-in process developers and administrators may read it).
PROCESSION_METRICS_TOKEN = os.environ.get("PROCESSION_METRICS_TOKEN", "")
PROCESSION_BACKLOG_CHECK_SECONDS = float(os.environ.get("PROCESSION_BACKLOG_CHECK_SECONDS", "1"))
# --- engine: limits per command and per instance (docs/configuration.md, "Limits") ------
PROCESSION_COMMAND_MAX_STEPS = int(os.environ.get("PROCESSION_COMMAND_MAX_STEPS", "100000"))
PROCESSION_COMMAND_MAX_SECONDS = float(os.environ.get("PROCESSION_COMMAND_MAX_SECONDS", "10"))
PROCESSION_MAX_STATE_BYTES = int(os.environ.get("PROCESSION_MAX_STATE_BYTES", str(32 << 20)))
PROCESSION_MAX_TOKENS_PER_INSTANCE = int(
    os.environ.get("PROCESSION_MAX_TOKENS_PER_INSTANCE", "10000")
)
PROCESSION_MAX_MI_CARDINALITY = int(os.environ.get("PROCESSION_MAX_MI_CARDINALITY", "10000"))
PROCESSION_MAX_VARIABLE_BYTES = int(os.environ.get("PROCESSION_MAX_VARIABLE_BYTES", str(4 << 20)))
PROCESSION_MAX_HANDLER_RESULT_BYTES = int(
    os.environ.get("PROCESSION_MAX_HANDLER_RESULT_BYTES", str(4 << 20))
)
PROCESSION_MAX_RESOURCE_BYTES = int(os.environ.get("PROCESSION_MAX_RESOURCE_BYTES", str(10 << 20)))
PROCESSION_MAX_RESOURCES_PER_DEPLOYMENT = int(
    os.environ.get("PROCESSION_MAX_RESOURCES_PER_DEPLOYMENT", "100")
)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "procession@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

for _folder in (VAR_DIR, STATIC_ROOT, *_BROKER_FOLDERS):
    Path(_folder).mkdir(parents=True, exist_ok=True)
