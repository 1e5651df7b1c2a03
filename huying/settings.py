"""Django settings for Huying 呼应.

Everything that differs between a laptop and a production deployment is read from the
environment (see README.md, "Configuration"); a bad value stops start-up with a message
naming the variable.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from huying.core.languages import LANGUAGES
from huying.env import env_bool, env_choice, env_int, env_list, env_str, env_timezone, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HUYING_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("HUYING_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
elif len(SECRET_KEY) < 32 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if (DEBUG or TESTING) else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this deployment answers to (comma separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "huying.core",
    "huying.accounts",
    "huying.organisations",
    "huying.audit",
    "huying.duty",
    "huying.activities",
    "huying.opinions",
    "huying.consultations",
    "huying.insight",
    "huying.moderation",
    "huying.interaction",
    "huying.proposals",
    "huying.handling",
    "huying.workorders",
    "huying.open311",
    "huying.demo",
    "huying.groups",
    "huying.reception",
    "huying.columns",
    "huying.cockpit",
    "huying.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "huying.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "huying.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads the body (the CSRF check reads POST in process_view).
    "huying.core.middleware.RequestSizeLimitMiddleware",
    # After the size limit (it reads the body), before any view or the database sees text:
    # NUL characters answer 400/422, not 500.
    "huying.core.middleware.RefuseNulMiddleware",
    # After OTPMiddleware (is_verified) and messages: sends required roles to 2FA set-up.
    "huying.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "huying.audit.middleware.AuditContextMiddleware",
    # AxesMiddleware must be last: it turns a lockout signal into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huying.urls"
WSGI_APPLICATION = "huying.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huying.core.context_processors.shell",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite under var/ is the embedded default; production and CI use PostgreSQL via
# DATABASE_URL=postgres://user:pass@host:5432/name.
_default_db_url = f"sqlite:///{VAR_DIR / 'huying.sqlite3'}"
DATABASE_URL = env_url("DATABASE_URL", _default_db_url, ("sqlite", "postgres", "postgresql", "pgsql"))
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:  # pragma: no cover - message depends on the parser
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept like PostgreSQL's (DB_CONN_MAX_AGE): opening one costs more than
    # a hotline push's writes (the connect and its PRAGMAs were a third of a push's time).
    _db["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids lock upgrades
        # failing half-way through a transaction; busy_timeout waits instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        # 60 s: pages served while `make run`'s background demo load holds the write lock
        # for one module's transaction (docs/operations.md "First start") wait for it.
        "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 60, minimum=1),
    }
    # Django's backend with each statement's placeholders converted once (huying/core/sqlite).
    _db["ENGINE"] = "huying.core.sqlite"
    # The tests' database in memory, each test process its own: Django's default for SQLite,
    # said here because pytest-django knows SQLite only by Django's own engine name (it would
    # add its per-process suffix to the file name instead).
    _db["TEST"] = {"NAME": ":memory:"}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # A kept connection is checked at the start of each request (it survives a restart of
    # the server); Django's backend with a check that asks the server only when the
    # connection's socket says something happened (huying/core/postgresql).
    _db["CONN_HEALTH_CHECKS"] = True
    _db["ENGINE"] = "huying.core.postgresql"
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ----------------------------------------------------------------------
# One cache shared by every web process, so rate limits count across workers: Redis at
# scale, otherwise the database (table huying_cache, created by migrate). Tests use a
# per-process memory cache unless HUYING_TEST_SHARED_CACHE=1 (query counts stay pinned).
REDIS_URL = env_url("REDIS_URL", "", ("redis", "rediss", "unix"))
CACHE_TABLE = "huying_cache"
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if TESTING:
        # The suite's parallel workers share one Redis server: each keeps its own keys, and
        # tests empty the cache with huying.core.tests.cache.clear_cache (their keys only).
        CACHES["default"]["KEY_PREFIX"] = "test-" + env_str("PYTEST_XDIST_WORKER", "main")
elif TESTING and not env_bool("HUYING_TEST_SHARED_CACHE", False):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "huying"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "huying.core.cache.AtomicDatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Culling deletes live entries (rate-limit counters) once the table is full.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Sessions: in the database (shared by every process); at scale also in Redis (cached_db:
# reads from the cache, writes through to the database, so a Redis restart logs no one out).
# The suite keeps database sessions on both runs so that pinned query counts stay the same.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL and not TESTING else "django.contrib.sessions.backends.db"
)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 3600
# Without a broker (embedded set-up) tasks run in the calling process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# A task is acknowledged when it has finished, one at a time per worker process, and a task
# whose worker process died (killed, out of memory) goes back to the queue: every task is
# idempotent (docs/operations.md "Processes").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = env_timezone("TIME_ZONE", "Asia/Shanghai")
# --- Periodic jobs --------------------------------------------------------------------------
# The one schedule of everything periodic: Celery beat sends it to the workers at scale
# (`make prod`), `manage.py run_periodic` runs the same tasks in its own process in the
# embedded set-up. Schedules are seconds or crontab() in TIME_ZONE. Every task is idempotent.
# Not here, because nothing periodic exists for them: notification delivery (delivered on
# commit by the request that wrote them, huying.handling.notify), statistics refresh (the
# statistics are computed per request; nothing is cached yet), category-model retraining
# (`manage.py category_model export` + `train` by an operator, docs/workorders-classifier.md).
# A new job is one entry here (docs/operations.md "Periodic jobs").
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Deadline warnings and supervision (docs/handling-engine.md).
    "handling-sweep": {
        "task": "huying.handling.tasks.sweep",
        "schedule": env_int("SWEEP_INTERVAL_SECONDS", 300, minimum=10),
    },
    # Reminders before activities (docs/activities.md).
    "activity-reminders": {
        "task": "huying.activities.tasks.remind",
        "schedule": env_int("ACTIVITY_REMINDERS_INTERVAL_SECONDS", 600, minimum=10),
    },
    # Expired sessions out of the database, every night.
    "clear-sessions": {"task": "huying.core.tasks.clear_sessions", "schedule": crontab(hour=3, minute=30)},
}
# New and changed texts into the stored hot topics, every 10 minutes (docs/insight.md).
CELERY_BEAT_SCHEDULE["insight-refresh-topics"] = {
    "task": "huying.insight.tasks.refresh_topics",
    "schedule": env_int("TOPICS_REFRESH_INTERVAL_SECONDS", 600, minimum=60),
}
# Reception-room sessions open and end on time, every minute (docs/reception.md).
CELERY_BEAT_SCHEDULE["reception-sweep"] = {
    "task": "huying.reception.tasks.sweep",
    "schedule": env_int("RECEPTION_SWEEP_INTERVAL_SECONDS", 60, minimum=10),
}
# The monthly analysis reports of the month just over, at 01:30 on the 1st (docs/reports.md).
CELERY_BEAT_SCHEDULE["reports-monthly"] = {
    "task": "huying.reports.tasks.monthly",
    "schedule": crontab(minute=30, hour=1, day_of_month=1),
}

# --- Authentication and security ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Lockout: after AXES_FAILURE_LIMIT failed logins for one login name from one address the
# pair is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_VERBOSE = False
# Also per client address over all login names: AXES_IP_FAILURE_LIMIT failures from one
# address within the cool-off lock the address (huying/accounts/lockout.py).
AXES_HANDLER = "huying.accounts.lockout.AddressLimitHandler"
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20, minimum=1)
# Trusted reverse proxies in front of the web processes; huying.core.net.client_ip uses it
# for both the lockout and the audit log.
PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "huying.core.net.client_ip"

OTP_TOTP_ISSUER = "Huying 呼应"
# Two-factor login required for these roles (huying.accounts.middleware): on by default when
# DEBUG is off; off in the demo (`make run`) and in tests unless REQUIRE_2FA=1 is set.
REQUIRE_2FA = env_bool("REQUIRE_2FA", not DEBUG and not TESTING)
REQUIRE_2FA_ROLES = env_list("REQUIRE_2FA_ROLES", ["admin", "dispatcher"])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env_bool("HTTPS", not DEBUG and not TESTING)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The supervisor's and the load balancer's health check talks plain HTTP on loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content security policy: everything from our own origin, no inline scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "zh-hans", [code for code, _name in LANGUAGES])
TIME_ZONE = env_timezone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Each app keeps its own catalogue in huying/<app>/locale/; project-level strings live in huying/core.
LOCALE_PATHS: list[Path] = []
FORMAT_MODULE_PATH = ["huying.formats"]

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "huying" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# WhiteNoise serves STATIC_ROOT (and the static directories) to anyone: uploads must never
# sit below them.
for _static in (STATIC_ROOT, *STATICFILES_DIRS):
    if MEDIA_ROOT.resolve().is_relative_to(_static.resolve()):
        raise ImproperlyConfigured(f"MEDIA_ROOT={MEDIA_ROOT} lies inside {_static}, which is served to everyone.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
if WHITENOISE_USE_FINDERS:
    # Development serves from the finders; WhiteNoise still expects STATIC_ROOT to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads are never served from MEDIA_ROOT: every download is a view that checks the
# viewer may see the case (huying/core/uploads.py). The proxy must not serve MEDIA_ROOT.
# Per request (every upload path, huying.core.uploads.check_upload_batch): at most
# UPLOAD_MAX_FILES files, UPLOAD_MAX_FILE_MB each, UPLOAD_MAX_TOTAL_MB together. Kinds
# may be stricter: work-order photos and PDFs are at most 10 MB each (a check constraint).
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 5, minimum=1, maximum=50)
UPLOAD_MAX_FILE_MB = env_int("UPLOAD_MAX_FILE_MB", 20, minimum=1, maximum=100)
UPLOAD_MAX_TOTAL_MB = env_int("UPLOAD_MAX_TOTAL_MB", 20, minimum=1, maximum=500)
if UPLOAD_MAX_TOTAL_MB < UPLOAD_MAX_FILE_MB:
    raise ImproperlyConfigured("UPLOAD_MAX_TOTAL_MB must not be below UPLOAD_MAX_FILE_MB.")
# Non-file form fields and JSON bodies (the JSON API sends files base64-encoded, a third
# larger: about 7.5 MB of files per request at the default).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A body declared larger than this is refused with 413 before it is read (multipart
# framing and form fields get 2 MB on top of the files).
UPLOAD_MAX_REQUEST_BYTES = max(UPLOAD_MAX_TOTAL_MB * 1024 * 1024, DATA_UPLOAD_MAX_MEMORY_SIZE) + 2 * 1024 * 1024

# --- Public work-order pages: rate limits (docs/workorders.md "Public pages") -----------
# Track lookups (page and API), counted per client address and per order number.
WORKORDERS_TRACK_LIMIT = env_int("WORKORDERS_TRACK_LIMIT", 10, minimum=1)
WORKORDERS_TRACK_WINDOW_SECONDS = env_int("WORKORDERS_TRACK_WINDOW_SECONDS", 600, minimum=1)
# Reports through the public form and POST /api/v1/workorders/report, per client address.
WORKORDERS_REPORT_LIMIT = env_int("WORKORDERS_REPORT_LIMIT", 30, minimum=1)
WORKORDERS_REPORT_WINDOW_SECONDS = env_int("WORKORDERS_REPORT_WINDOW_SECONDS", 600, minimum=1)

# --- Logging: passwords and tokens never reach the log -----------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "huying.core.logs.ScrubSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
# How long a web process keeps an API token it has checked, with its person and roles
# (huying/accounts/token_cache.py); a revocation or role change reaches every process at
# once through the shared cache, this is only the upper bound. 0: look up every request.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 30, minimum=0)

# The proposals' statistics use a covering index (INCLUDE columns) on PostgreSQL; SQLite
# builds it as a plain index, which is what the embedded set-up needs (no warning wanted).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Queued tasks (the outbox, huying/core/outbox.py; docs/operations.md "Queued tasks") ---
# A task not done this long after it was written (or last handed over) is handed to the
# broker again, at most OUTBOX_MAX_REQUEUES times; done rows are kept OUTBOX_KEEP_DAYS.
OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 120, minimum=5)
OUTBOX_MAX_REQUEUES = env_int("OUTBOX_MAX_REQUEUES", 50, minimum=1)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE["outbox-requeue"] = {
    "task": "huying.core.tasks.requeue_outbox",
    "schedule": env_int("OUTBOX_REQUEUE_INTERVAL_SECONDS", 60, minimum=5),
}
# The suite has no worker: its tasks run in the test's process also when REDIS_URL is set.
if TESTING:
    CELERY_TASK_ALWAYS_EAGER = True
# Work orders whose after-intake analysis was lost (a worker died), every 5 minutes (docs/workorders.md).
CELERY_BEAT_SCHEDULE["workorders-analyse-pending"] = {
    "task": "huying.workorders.tasks.analyse_pending",
    "schedule": env_int("WORKORDERS_ANALYSE_INTERVAL_SECONDS", 300, minimum=30),
}
# --- First start ----------------------------------------------------------------------------
# The background demo load of `make run` reports its progress here; every page shows the bar
# until the file says done (huying/core/startup.py, docs/operations.md "First start").
DEMO_PROGRESS_FILE = Path(env_str("DEMO_PROGRESS_FILE", str(VAR_DIR / "demo-progress.json")))
