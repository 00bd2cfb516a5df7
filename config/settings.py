"""Settings of the recommendation tracker: one module, driven by environment variables (see docs/deploying.md).

Development is opt-in (``DJANGO_DEBUG=1``, which ``make run`` and ``make test`` set, and which ``make setup`` writes
into a git-ignored ``.env`` so that ``manage.py`` commands typed by hand work too); without it the settings are
production settings and refuse to load without a secret key and allowed hosts. Variables of the environment win over
the file; ``DJANGO_ENV_FILE`` names another file ("" for none).
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A fixed key is only acceptable for local development; production must bring its own.
_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-do-not-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off, the default) needs a long random secret key, "
            "e.g. DJANGO_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "For local development set DJANGO_DEBUG=1 instead (make run does)."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. Production needs the host names the app is served under, "
        "comma-separated, e.g. DJANGO_ALLOWED_HOSTS=tracker.example.go.jp."
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, as it asks: bilingual content fields (core.translation)
    "core.admin_apps.TrackerAdminConfig",  # Django's admin, with the site's throttled sign-in (core.sites)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",  # the jobs' database backend (its table, its admin); RQ's below where chosen
    # The project's apps, lowest layer first (docs/architecture.md): each imports only the ones above it here.
    "core",
    "partners",
    "recommendations",
    "reports",
    "transfer",
    "webhooks",
    "notifications",
    "proposals",  # above transfer: it builds on the import (docs/architecture.md)
]

MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",
    # Early, so that every answer below (413, 503, the API's errors) speaks the request's language; it sets
    # Content-Language and Vary: Accept-Language on all of them.
    "django.middleware.locale.LocaleMiddleware",
    "core.limits.RequestBodyLimitMiddleware",  # by Content-Length, before anything reads a body
    "core.middleware.ApiGzipMiddleware",  # the API's JSON only (no CSRF tokens to expose)
    "core.api.throttling.RateLimitHeadersMiddleware",  # X-RateLimit-* of the limit the request met
    "config.views.HealthCheckMiddleware",  # before the host check and the HTTPS redirect: load balancers probe directly
    "core.api.errors.ApiErrorMiddleware",  # Django's own 404/500 under /api/ as JSON
    "core.busy.WriteBusyMiddleware",  # below it, so a lock not had in time is a 503 before it could become a 500
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.CanonicalUrlMiddleware",  # CommonMiddleware, never redirecting a write (it would become a GET)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's overrides of other apps' templates (the admin's base_site.html), found before the apps'.
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",  # the header's unread count
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------------
# How long a write waits for the writers' lock (core.changes) before it is answered 503 with Retry-After; on SQLite the
# busy timeout (SQLITE_BUSY_TIMEOUT, the same by default) bounds every write.
WRITE_LOCK_TIMEOUT_SECONDS = env.float("DJANGO_WRITE_LOCK_TIMEOUT", default=10.0)
WRITE_BUSY_RETRY_AFTER_SECONDS = env.int("DJANGO_WRITE_BUSY_RETRY_AFTER", default=5)
# SQLite in the project folder by default; PostgreSQL in production through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE transactions take the write lock up front so concurrent
    # writers queue on the busy timeout instead of failing with "database is locked" when upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=WRITE_LOCK_TIMEOUT_SECONDS),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    # Tests use a file too (not the in-memory default), so that concurrency tests exercise real locking.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(BASE_DIR / "test-db.sqlite3"))
else:
    # The test database is named after the configured one (tracker_x -> tracker_x_test), so that every checkout's
    # tests stay inside its own database names instead of all sharing Django's "test_" prefix.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", f"{DATABASES['default']['NAME']}_test")
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles a query the planner thinks costly before running it: for the reports' queries (many
    # small indexed subqueries) compiling took longer than running, up to a third of a comparison's time.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Keys are prefixed, so that deployments (or test runs) can share one Redis without counting each other's requests.
CACHE_KEY_PREFIX = env.str("DJANGO_CACHE_KEY_PREFIX", default="tracker")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}}
# How long the progress report's figures stay cached (seconds; 0: never cached). Their key holds the change feed's
# latest seq, so any write makes them recomputed at once; this bounds only the clock-dependent counts (stale).
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=300)
# The unfiltered report reads the counts the write path keeps (recommendations.tallies); off, it counts the rows.
REPORT_TALLIES = env.bool("REPORT_TALLIES", default=True)
# An import's progress, written by the worker while the import's transaction is open (on SQLite that transaction
# holds the write lock, so progress cannot go through the database) and read by the web process: Redis where there
# is one, else files in a private folder (created 0700) that the worker and the web server on one host share.
if REDIS_URL:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:progress",
    }
else:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env.str(
            "IMPORT_PROGRESS_DIR", default=str(Path(tempfile.gettempdir()) / f"tracker-progress-{os.geteuid()}")
        ),
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }

# --- Background jobs (ADR 0007) -------------------------------------------------------------------------------------
# Django's Tasks API (the django-tasks backport). "database" keeps jobs in the database (the embedded default, any
# number of `manage.py worker` processes on SQLite or PostgreSQL); "rq" puts them on Redis for workers on several
# hosts. RQ is the default where REDIS_URL is set. Code never names a backend: core.jobs reads this.
JOBS_BACKEND = env.str("JOBS_BACKEND", default="rq" if REDIS_URL else "database")
if JOBS_BACKEND not in {"database", "rq"}:
    raise ImproperlyConfigured(f"JOBS_BACKEND must be 'database' or 'rq', not {JOBS_BACKEND!r}.")
if JOBS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("JOBS_BACKEND=rq needs REDIS_URL (for example redis://127.0.0.1:6379/0).")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# How often a worker looks for periodic jobs that are due (seconds), and how long finished jobs are kept (days).
JOBS_TICK_SECONDS = env.float("JOBS_TICK_SECONDS", default=2.0)
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=14)

# --- Webhooks (docs/webhooks.md) ------------------------------------------------------------------------------------
# Endpoints on private, loopback, link-local and other non-public addresses are refused unless this is on (tests and
# a closed network only). Each POST waits at most WEBHOOKS_TIMEOUT_SECONDS; an endpoint is paused after
# WEBHOOKS_MAX_FAILURES failures in a row; workers look for due endpoints every WEBHOOKS_INTERVAL_SECONDS.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
WEBHOOKS_MAX_FAILURES = env.int("WEBHOOKS_MAX_FAILURES", default=10)
WEBHOOKS_INTERVAL_SECONDS = env.float("WEBHOOKS_INTERVAL_SECONDS", default=5.0)
# The site's address (e.g. https://tracker.example.go.jp), to make the "url" members of payloads absolute as the change
# feed does; empty: they stay site-relative paths.
WEBHOOKS_SITE_URL = env.str("WEBHOOKS_SITE_URL", default="").rstrip("/")

# --- Notifications and e-mail (issue 15) ------------------------------------------------------------------------------
# Links in e-mails point to SITE_URL. Daily digests go out at NOTIFICATIONS_DIGEST_HOUR local time (TIME_ZONE);
# reminders come REMINDER_DAYS_BEFORE days before a target or review date, and the day after it passed.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=8)
# How often the workers look for new changes to notify (only a query when nothing changed).
NOTIFICATIONS_FAN_OUT_SECONDS = env.float("NOTIFICATIONS_FAN_OUT_SECONDS", default=5.0)
if not 0 <= NOTIFICATIONS_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("NOTIFICATIONS_DIGEST_HOUR must be an hour from 0 to 23.")
REMINDER_DAYS_BEFORE = env.int("REMINDER_DAYS_BEFORE", default=7)
if REMINDER_DAYS_BEFORE < 1:
    raise ImproperlyConfigured("REMINDER_DAYS_BEFORE must be 1 or more.")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Development prints e-mails on the console; production sends through EMAIL_URL (smtp+tls://user:password@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = bool(EMAIL_CONFIG.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(EMAIL_CONFIG.get("EMAIL_USE_SSL", False))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Authentication -------------------------------------------------------------------------------------------------
# django-axes locks a username out from an address after repeated failed logins (the admin's login too).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "core.auth.attempt_username"  # cut to the column: a longer name was a 500
# How many proxies in front append to X-Forwarded-For: the client is the N-th entry from the right (core.auth).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.auth.client_ip"
# Per username, whatever the address: after this many failures, each attempt from a browser that never signed in as
# that user waits, doubling from the base up to the maximum (core.signin). Trusted browsers neither count nor wait.
SIGNIN_USERNAME_FAILURE_LIMIT = env.int("DJANGO_LOGIN_USERNAME_FAILURE_LIMIT", default=10)
SIGNIN_BACKOFF_BASE_SECONDS = env.int("DJANGO_LOGIN_BACKOFF_SECONDS", default=60)
SIGNIN_BACKOFF_MAX_SECONDS = env.int("DJANGO_LOGIN_BACKOFF_MAX_SECONDS", default=3600)
SIGNIN_TRUSTED_DEVICE_DAYS = env.int("DJANGO_TRUSTED_DEVICE_DAYS", default=180)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -------------------------------------------------------------------------------------------
# Each language is named in itself (the switch in the header shows them so). A browser's Accept-Language picks one on
# a first visit; a choice made with the switch is kept in a cookie, and on the user once signed in (core.i18n).
LANGUAGES = [("ja", "日本語"), ("en", "English")]
# For clients that say nothing (no cookie, no Accept-Language): API scripts, mostly; English by default, as the API
# was before it spoke Japanese.
LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"DJANGO_LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}.")
# The project's catalogue, then Japanese for third-party apps that ship none (django-axes' admin).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "third_party"]
# Bilingual content (core.translation, docs/adr/0006-bilingual-content.md): each translated field has a column per
# language; a missing value falls back to the other language. A field's own column holds the canonical value,
# English where there is one. Registered in each app's translation.py.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "ja")}
# Dates as each language writes them (2026年11月30日, 30 November 2026), times on the 24-hour clock with the zone.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "tracker_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------------------------
STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = DEBUG  # development serves straight from the apps' static folders
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Uploaded evidence: a private folder by default (MEDIA_ROOT; no URL serves it, only the authorised download view),
# or an S3-compatible bucket through django-storages where several hosts serve the app (docs/deploying.md).
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
EVIDENCE_S3_BUCKET = env.str("EVIDENCE_S3_BUCKET", default="")
DEFAULT_STORAGE: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if EVIDENCE_S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": env.str("EVIDENCE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("EVIDENCE_S3_REGION", default="") or None,
            "access_key": env.str("EVIDENCE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("EVIDENCE_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("EVIDENCE_S3_PREFIX", default="tracker"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Django REST framework ------------------------------------------------------------------------------------------
# The API's JSON is compressed (gzip) from this size on, for clients that accept it.
GZIP_MIN_BYTES = env.int("DJANGO_GZIP_MIN_BYTES", default=1024)
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": gettext_lazy("Policy recommendation tracker API"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# The API (issue 3): token or session authentication, model permissions, per-user and per-token rate limits counted
# in the default cache (Redis where REDIS_URL is set), keyset pagination, one JSON error shape, a documented schema.
REST_FRAMEWORK.update(
    {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "core.api.authentication.ApiTokenAuthentication",  # first: its challenge makes 401s
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ModelPermissions"],
        "DEFAULT_THROTTLE_CLASSES": [
            "core.api.throttling.UserRateThrottle",
            "core.api.throttling.TokenRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "user": env.str("API_THROTTLE_USER", default="3000/minute"),
            "token": env.str("API_THROTTLE_TOKEN", default="3000/minute"),
        },
        "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
        # orjson writes the same JSON several times faster (issue 6); the browsable API stays.
        "DEFAULT_RENDERER_CLASSES": [
            "core.api.renderers.ORJSONRenderer",
            "rest_framework.renderers.BrowsableAPIRenderer",
        ],
        "DEFAULT_PAGINATION_CLASS": "core.api.pagination.KeysetPagination",
        "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
    }
)
SPECTACULAR_SETTINGS.update(
    {
        "DESCRIPTION": gettext_lazy(
            "Recommendations, their partners, themes, sources and status timeline; a change feed for incremental "
            "sync; a progress report. Authenticate with `Authorization: Bearer <token>`. Titles, descriptions and "
            "names come in Japanese and English: `title_ja` and `title_en`, and `title` in the language "
            "`Accept-Language` asks for (the answer's `Content-Language` says which), falling back to the other "
            "where there is no translation. Writes take either column, or the plain field in the language "
            "`Content-Language` names. Error messages follow `Accept-Language`; their `code` values stay English."
        ),
        "COMPONENT_SPLIT_REQUEST": True,
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "core.api.schema.add_links",
            "core.api.schema.name_descending_values",
        ],
        "ENUM_NAME_OVERRIDES": {
            "StatusEnum": "recommendations.choices.Status",
            "PriorityEnum": "recommendations.choices.Priority",
            "PartnerRoleEnum": "recommendations.choices.PartnerRole",
            "ChangeActionEnum": "core.choices.ChangeAction",
            "PartnerKindEnum": "partners.choices.PartnerKind",
            "SourceKindEnum": "recommendations.choices.SourceKind",
            "ResponseEnum": "recommendations.choices.Response",
            "RatingEnum": "recommendations.choices.Rating",
        },
    }
)

# --- Security -------------------------------------------------------------------------------------------------------
# Production defaults assume a TLS-terminating proxy in front that sets X-Forwarded-Proto (and strips it from
# clients). `make serve` turns the TLS-only parts off to try production settings over plain HTTP on loopback.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_COOKIES = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Request bodies beyond this are refused by their Content-Length, with 413, before anything reads them (core.limits);
# views that take uploads declare their own limit. Form fields beyond it are refused by Django too.
MAX_REQUEST_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_MAX_BODY_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Where an uploaded import waits between its preview and its confirmation (default: a folder in the system's temporary
# folder). Several application hosts need a folder they all share, or the confirmation may land on another host.
IMPORT_STAGING_DIR = env.str("IMPORT_STAGING_DIR", default="")

# Content Security Policy: scripts, styles, images and fonts from this site only (nothing from elsewhere exists to be
# allowed). Inline style attributes stay allowed for the admin and the server-drawn bars; inline scripts do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------------------------------------------------
# One line per request (logger "tracker.request") and every other record carry the request id. JSON in production
# (one object per line, for a log shipper), readable text in development; DJANGO_LOG_FORMAT=json|plain overrides.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Requests are logged once, by core.request_id; Django's own 4xx/5xx lines would repeat them.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
